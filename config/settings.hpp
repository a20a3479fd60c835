#pragma once
// Everything a voxmon node can be told, with VoIPmonitor's key names where the feature is the
// same. Filled from a voipmonitor.conf-style file, then overridden by command-line flags.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace voxmon::config {

struct port_range {
  uint16_t first = 0;
  uint16_t last = 0;
  friend bool operator==(const port_range&, const port_range&) = default;
};

enum class save_rtp : uint8_t { no, yes, header };

struct settings {
  // input
  std::string read_file;                       // -r / --read
  // SIP detection
  std::vector<port_range> sipport{{5060, 5060}};  // "sipport = 5060,5070-5080"
  // identity
  uint32_t id_sensor = 0;
  // timeouts (seconds, on packet time)
  uint32_t rtptimeout = 300;            // answered call with no RTP and no SIP for this long
  uint32_t sipwithoutrtptimeout = 3600; // call that never had RTP, no packet for this long
  uint32_t absolute_timeout = 14400;    // any call older than this
  uint32_t bye_timeout = 20;            // after BYE (answered or not) before the CDR is closed
  uint32_t auth_retry_timeout = 60;     // after a 401/407 to the INVITE: wait for the retry (voxmon key)
  // output
  std::string cdr_jsonl;                // --cdr-jsonl PATH ("-" = stdout); empty = off
  std::string db = "sqlite:voxmon.db"; // --db sqlite:PATH | none | mysql://user:pass@host:port/db
  bool db_explicit = false;             // `db` was given (then it wins over mysqlhost)
  // MySQL store (VoIPmonitor keys). MySQL is the store when mysqlhost is set (or db = mysql://).
  std::string mysqlhost;
  uint32_t mysqlport = 3306;
  std::string mysqlusername = "root";
  std::string mysqlpassword;
  std::string mysqlpassword_file;       // voxmon key: first line of this file is the password
  std::string mysqldb = "voipmonitor";
  bool cdr_partition = true;            // daily partitions on calldate
  uint32_t cleandatabase = 0;           // days of CDRs to keep (0 = keep all)
  bool ipv6 = false;                    // sipcallerip/sipcalledip as VARBINARY(16)
  std::string cdr_journal = "voxmon-cdr.journal";  // CDRs waiting for the database
  std::string cdr_journal_fsync = "batch";          // always | batch | none
  uint32_t mysql_batch = 1000;          // CDRs per multi-row INSERT
  bool update_schema = false;           // --update-schema: create/upgrade, replay journal, exit
  bool progress = true;                 // progress bar on a terminal
  uint32_t table_rows = 50;             // rows of the call table printed at the end
  // engine
  uint32_t threads = 0;                 // CAF scheduler threads; 0 = number of cores
  std::string scheduler = "sharing";    // CAF scheduler policy: sharing or stealing
  uint32_t batch_packets = 4096;        // packets per capture batch
  // per-call pcap files (docs/CONFIG.md, config/spool_settings.cpp)
  bool savesip = false;
  save_rtp savertp = save_rtp::no;      // yes | no | header (RTP headers without payload)
  bool savertcp = false;                // RTCP into the RTP file
  std::string spooldir = "./spool";
  uint32_t maxpoolsize = 102400;        // MB; 0 = no limit (VoIPmonitor's default)
  uint32_t maxpooldays = 0;             // days; 0 = no limit
  std::string pcap_compress = "no";     // no | gzip
  uint32_t spool_writers = 0;           // spool_writer pool size; 0 = automatic
  uint32_t openfile_max = 0;            // RLIMIT_NOFILE raised to this when saving; 0 = 65536
  // central node and remote sensors (docs/CONFIG.md, config/cluster_settings.cpp)
  std::string server_bind;              // server role: listen on this address ("" = not a server)
  uint32_t server_bind_port = 60024;
  std::string server_password;          // shared secret of the sensors' challenge-response
  std::string server_password_file;     // voxmon key: first line of this file is the password
  std::string server_destination;       // sensor role: central node(s), "host[:port],..." (failover)
  uint32_t server_destination_port = 60024;
  std::string sensor_name;              // how the central node lists this sensor ("" = host name)
  std::string tls_cert, tls_key, tls_ca;  // PEM files; without them the link is anonymous TLS
  std::string server_outbox = "voxmon-cdr.outbox";  // CDRs not yet acknowledged by the server
  uint32_t server_flush_timeout = 120;  // seconds the end of a run waits for acknowledgements
  uint32_t server_upload_batch = 500;   // CDRs per upload (each acknowledged once durable)
  uint32_t remote_pcap_max_mb = 256;    // a call's pcap a sensor serves / a central node fetches, per GUI request
  uint32_t remote_pcap_timeout = 5;     // seconds the central node waits for each piece from a sensor
  bool stay_joined = false;             // sensor with -r: stay joined after the file until SIGTERM/SIGINT
  // packet mirroring (docs/CONFIG.md "Packet mirroring")
  bool packetbuffer_sender = false;     // with server_destination: stream raw packets, no analysis
  uint32_t max_buffer_mem = 256;        // MB of unacknowledged frames the sender keeps in memory
  std::string packetbuffer_file_path;   // spill file for frames beyond max_buffer_mem ("" = none)
  uint32_t packetbuffer_file_totalmaxsize = 2048;  // MB bound on the spill file
  uint32_t mirror_frame_kb = 1024;      // a frame is sent when it holds this many KB ...
  uint32_t mirror_frame_ms = 100;       // ... or this many ms after its first packet
  uint32_t mirror_window = 8;           // frames sent and not yet acknowledged
  bool packetbuffer_compress = true;    // Snappy frames (no: the records as they are)
  uint32_t mirror_compress_min_saving = 20;  // % a frame must save, else the next 15 go as they are
  double replay_speed = 0;              // -r with a mirror sender: 0 = as fast as acknowledged, N = N x real time
  // tunnels, TCP reassembly, HEP listener (docs/CONFIG.md, config/tunnel_settings.cpp)
  uint32_t udp_port_vxlan = 4789;
  uint32_t udp_port_tzsp = 37008;
  uint32_t udp_port_l2tp = 1701;        // L2TPv3 over UDP (over IP protocol 115: always)
  uint32_t udp_port_gtp = 2152;
  uint32_t udp_port_hep = 9060;         // HEP inside captures (HEP3 is also found by its magic)
  int32_t l2tp_cookie_length = -1;      // auto (-1) | 0 | 4 | 8
  uint32_t tcp_max_stream_kb = 256;     // SIP over TCP: buffered per direction
  uint32_t tcp_max_total_mb = 64;       // SIP over TCP: buffered over all streams
  uint32_t tcp_max_streams = 65536;
  bool hep = false;                     // HEP listener on hep_bind:hep_bind_port
  std::string hep_bind = "0.0.0.0";
  uint32_t hep_bind_port = 9060;
  bool hep_bind_udp = true;
  bool hep_bind_tcp = true;
  uint32_t hep_max_clients = 256;       // TCP clients at once (more are refused and counted)
  uint32_t hep_max_message = 65535;     // larger HEP3 messages on TCP cut the client off
  // live capture and the sensor daemon (docs/CONFIG.md, config/live_settings.cpp)
  std::string interface;                // "eth0", "eth0,eth1" or "any"; set = sensor daemon
  std::string filter;                   // BPF expression
  bool promisc = true;
  uint32_t snaplen = 65535;
  uint32_t ringbuffer = 50;             // MB of kernel capture buffer per interface
  bool deduplicate = false;             // drop packets seen twice (several interfaces, SPAN)
  std::string metrics_bind;             // "127.0.0.1:9108": Prometheus endpoint ("" = off)
  std::string run_as_user;              // drop root to this user once the captures are open
  std::string pidfile;                  // --pid-file / pidfile
  uint32_t verbosity = 2;               // 0 error, 1 warn, 2 info, 3 debug (-v)
  bool syslog = false;                  // --syslog: log to syslog instead of stderr
  // web GUI (docs/GUI.md, config/gui_settings.cpp)
  std::string gui_bind;                 // listen address of the web GUI ("" = no GUI)
  uint32_t gui_bind_port = 8080;
  std::string gui_tls_cert, gui_tls_key;  // PEM files: HTTPS when both are set
  uint32_t gui_session_hours = 12;      // a login lasts this long
  uint32_t gui_number_index_calls = 2'000'000;  // calls held for substring searches (0 = none)
};

// A problem found in a config file or on the command line.
struct config_error {
  std::string file;   // empty for the command line
  int line = 0;       // 0 when not tied to a line
  std::string key;
  std::string reason;
  std::string to_string() const;  // "voxmon.conf:12: key 'rtptimeout': <reason>"
};

struct load_result {
  std::optional<config_error> error;      // set on the first bad value
  std::vector<std::string> warnings;      // unknown keys etc., each naming file, line and key
};

// Applies `key = value` lines from a voipmonitor.conf-style file to `s`. Accepts an optional
// [general] section header (other sections are warned about and skipped), `#` and `;`
// comments (whole lines, and after a value when preceded by whitespace: "5060 # SIP"), blank
// lines, whitespace around '=', CRLF line ends and a UTF-8 BOM. Unknown keys and VoIPmonitor
// keys voxmon does not implement are warnings. Repeated `sipport` lines add up (as in
// VoIPmonitor); any other repeated key: the last one wins. Stops at the first bad value or
// malformed line (`error`); `s` then holds the lines applied before it.
load_result load_config_file(const std::string& path, settings& s);
load_result load_config_text(const std::string& text, const std::string& file_name, settings& s);

// What voxmon makes of a config key (keys are matched case-insensitively).
enum class key_kind {
  supported,  // applied by apply_setting
  ignored,    // a VoIPmonitor key voxmon does not implement yet: warned about, skipped
  unknown,    // neither
};
key_kind classify_key(const std::string& key);

// Applies one key/value (the same validation as a file line); used by the command line too.
// Returns the reason on a bad value (e.g. "expected a number of seconds, got 'abc'").
// `known_key` is true only for supported keys; ignored and unknown keys change nothing and
// return nullopt (use classify_key to tell them apart).
std::optional<std::string> apply_setting(settings& s, const std::string& key,
                                         const std::string& value, bool& known_key);

// Parses "5060,5070-5080" into ranges (ports 1..65535, first <= last, spaces around items
// allowed); nullopt with a reason on error (empty list, empty item, "5060-", "70000", ...).
std::optional<std::vector<port_range>> parse_port_list(const std::string& text,
                                                       std::string& reason);
bool is_sip_port(const settings& s, uint16_t port);

// True when the CDR store is MySQL: db = mysql://..., or mysqlhost set and db not given.
bool uses_mysql(const settings& s);
// The MySQL password: mysqlpassword_file (first line) when set, else the environment variable
// VOXMON_MYSQL_PASSWORD when set, else mysqlpassword. nullopt + reason when the file is unreadable.
std::optional<std::string> mysql_password(const settings& s, std::string& reason);

}  // namespace voxmon::config
