#include "core/emodel.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>

namespace voxmon::core {

namespace {

using text::iequals;

}  // namespace

codec_impairment codec_impairment_for(std::string_view e) {
  // G.113 (11/2007) Appendix I, Tables I.1 and I.3.
  if (iequals(e, "PCMU") || iequals(e, "PCMA"))
    return {"G.711", 0.0, 25.1, 0.0};
  if (iequals(e, "G729") || iequals(e, "G729A") || iequals(e, "G729AB"))
    return {"G.729A", 11.0, 19.0, 5.0};
  if (iequals(e, "G723"))
    return {"G.723.1", 15.0, 16.1, 7.5};
  if (iequals(e, "GSM-EFR") || iequals(e, "AMR"))
    return {"GSM-EFR", 5.0, 10.0, 0.0};
  // Assumptions (no narrowband G.113 value exists; see docs/QUALITY.md): G.722 and opus are
  // rated like G.711 with PLC on the narrowband scale, with their look-ahead.
  if (iequals(e, "G722"))
    return {"G.722", 0.0, 25.1, 1.5};
  if (iequals(e, "opus"))
    return {"opus", 0.0, 25.1, 6.5};
  return {"unknown", 0.0, 25.1, 0.0};
}

codec_impairment g711_without_plc() { return {"G.711 (no PLC)", 0.0, 4.3, 0.0}; }

double emodel_ie_eff(double ie, double bpl, double ppl, double burst_ratio) {
  ppl = std::clamp(ppl, 0.0, 100.0);
  if (burst_ratio < 1.0)
    burst_ratio = 1.0;
  if (ppl <= 0.0)
    return ie;
  return ie + (95.0 - ie) * ppl / (ppl / burst_ratio + bpl);
}

double emodel_idd(double ta) {
  if (ta <= 100.0)
    return 0.0;
  const double x = std::log10(ta / 100.0) / std::log10(2.0);
  return 25.0 * (std::pow(1.0 + std::pow(x, 6.0), 1.0 / 6.0) -
                 3.0 * std::pow(1.0 + std::pow(x / 3.0, 6.0), 1.0 / 6.0) + 2.0);
}

double emodel_r(const codec_impairment& c, double ppl, double burst_ratio, double ta_ms) {
  return emodel_r_default - emodel_idd(ta_ms) - emodel_ie_eff(c.ie, c.bpl, ppl, burst_ratio);
}

double emodel_mos(double r) {
  if (r <= 0.0)
    return 1.0;
  if (r >= 100.0)
    return 4.5;
  return 1.0 + 0.035 * r + r * (r - 60.0) * (100.0 - r) * 7e-6;
}

double burst_ratio(uint64_t r_to_l, uint64_t r_frames, uint64_t l_to_r, uint64_t l_frames) {
  if (r_to_l == 0 && l_frames == 0)
    return 1.0;  // no loss
  const double p = r_frames ? static_cast<double>(r_to_l) / static_cast<double>(r_frames) : 0.0;
  const double q = l_frames ? static_cast<double>(l_to_r) / static_cast<double>(l_frames) : 0.0;
  if (p + q <= 0.0)
    return 1.0;  // only losses, no transition: nothing to say about bursts
  return std::max(1.0, 1.0 / (p + q));
}

}  // namespace voxmon::core
