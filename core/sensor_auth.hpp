#pragma once
// The challenge-response a sensor passes when it joins a central node: the server sends a
// fresh random nonce, the sensor answers HMAC-SHA256(key = server_password, nonce | id_sensor |
// name) in hex. The password never crosses the wire, and a proof is only good for its nonce.
#include <cstdint>
#include <string>
#include <string_view>

namespace voxmon::core {

// 32 random bytes from the OpenSSL CSPRNG, hex-encoded (64 characters).
std::string make_auth_nonce();

// The proof a sensor sends for `nonce` (hex, 64 characters).
std::string make_auth_proof(std::string_view password, std::string_view nonce, uint32_t id_sensor,
                            std::string_view sensor_name);

// Constant-time check of a proof received for `nonce`.
bool auth_proof_matches(std::string_view password, std::string_view nonce, uint32_t id_sensor,
                        std::string_view sensor_name, std::string_view proof);

}  // namespace voxmon::core
