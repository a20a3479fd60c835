#pragma once
// Password hashing for GUI users: PBKDF2-HMAC-SHA256 (OpenSSL) with a 16-byte random salt,
// stored as "pbkdf2-sha256$ITERATIONS$SALT_B64$HASH_B64" (standard base64 with padding), and
// a constant-time check.
#include <cstdint>
#include <string>
#include <string_view>

namespace voxmon::gui {

inline constexpr uint32_t default_pbkdf2_iterations = 310000;
inline constexpr uint32_t min_pbkdf2_iterations = 200000;  // hash_password never goes below
inline constexpr size_t max_password_bytes = 1024;         // longer ones are refused (slow hash DoS)

std::string hash_password(std::string_view password,
                          uint32_t iterations = default_pbkdf2_iterations);
// True when `password` matches `stored`; false on a mismatch or a malformed `stored` (also one
// whose iteration count is outside 1,000..10,000,000: a stored value cannot make us spin).
bool verify_password(std::string_view password, std::string_view stored);

// Standard base64 with padding; decode returns false on anything else.
std::string base64_encode(std::string_view bytes);
bool base64_decode(std::string_view text, std::string& out);

// `n` random bytes from OpenSSL's CSPRNG (throws std::runtime_error if it fails).
std::string random_bytes(size_t n);
std::string hex(std::string_view bytes);

}  // namespace voxmon::gui
