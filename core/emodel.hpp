#pragma once
// ITU-T G.107 E-model, reduced to the terms a passive monitor can measure (docs/QUALITY.md
// gives every formula and constant with its source). Runs once per 10 s interval per buffer,
// never per packet.
#include <cstdint>
#include <string_view>

namespace voxmon::core {

// Codec constants for the E-model: equipment impairment Ie and packet-loss robustness Bpl
// (ITU-T G.113 Appendix I where it has a value; docs/QUALITY.md marks the assumptions), and the
// codec's own delay beyond packetization (algorithmic look-ahead), in ms.
struct codec_impairment {
  std::string_view name;  // canonical name, e.g. "G.711"
  double ie = 0;
  double bpl = 25.1;
  double lookahead_ms = 0;
};

// By RTP encoding name (SDP rtpmap, case-insensitive: PCMU, PCMA, G729, G722, opus, ...).
// Unknown names get the G.711-with-PLC constants (and name "unknown").
codec_impairment codec_impairment_for(std::string_view encoding);
// G.711 without packet loss concealment (G.113 Appendix I: Bpl 4.3).
codec_impairment g711_without_plc();

// G.107 default R for all other parameters at their default values (Ro - Is with the default
// Idte/Idle at T = 0): 93.2.
inline constexpr double emodel_r_default = 93.2;

// Effective equipment impairment (G.107 eq. 7-29): Ie + (95 - Ie) * Ppl / (Ppl / BurstR + Bpl),
// Ppl in percent (0..100), burst_ratio >= 1 for bursty loss, 1 for random loss.
double emodel_ie_eff(double ie, double bpl, double ppl_percent, double burst_ratio);
// Delay impairment Idd (G.107 eq. 7-27/7-28, mT = 100 ms, sT = 1) for the absolute one-way
// delay Ta in ms: 0 up to 100 ms.
double emodel_idd(double ta_ms);
// R = 93.2 - Idd(Ta) - Ie,eff (Advantage factor A = 0).
double emodel_r(const codec_impairment& c, double ppl_percent, double burst_ratio, double ta_ms);
// G.107 Annex B: R -> MOS_CQE, 1.0 .. 4.5.
double emodel_mos(double r);

// Burst ratio (G.107 Annex A) from a two-state Markov model of the loss pattern: p = P(lost |
// previous received), q = P(received | previous lost), BurstR = 1 / (p + q). Arguments: number
// of received->lost transitions, frames in the received state that had a successor,
// lost->received transitions, frames in the lost state that had a successor. 1 when there is no
// loss or the pattern says nothing.
double burst_ratio(uint64_t r_to_l, uint64_t r_frames, uint64_t l_to_r, uint64_t l_frames);

}  // namespace voxmon::core
