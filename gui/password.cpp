#include "gui/password.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <charconv>
#include <stdexcept>

namespace voxmon::gui {

namespace {

constexpr std::string_view scheme = "pbkdf2-sha256";
constexpr size_t salt_bytes = 16;
constexpr size_t hash_bytes = 32;
constexpr char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string pbkdf2(std::string_view password, std::string_view salt, uint32_t iterations) {
  std::string out(hash_bytes, '\0');
  if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                        reinterpret_cast<const unsigned char*>(salt.data()),
                        static_cast<int>(salt.size()), static_cast<int>(iterations), EVP_sha256(),
                        static_cast<int>(out.size()), reinterpret_cast<unsigned char*>(out.data())) != 1)
    throw std::runtime_error("PBKDF2 failed");
  return out;
}

}  // namespace

std::string base64_encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    const uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += b64[v >> 18];
    out += b64[(v >> 12) & 63];
    out += b64[(v >> 6) & 63];
    out += b64[v & 63];
  }
  if (i < in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (i + 1 < in.size())
      v |= uint8_t(in[i + 1]) << 8;
    out += b64[v >> 18];
    out += b64[(v >> 12) & 63];
    out += i + 1 < in.size() ? b64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

bool base64_decode(std::string_view text, std::string& out) {
  out.clear();
  if (text.size() % 4 != 0)
    return false;
  for (size_t i = 0; i < text.size(); i += 4) {
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = text[i + k];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad)
        return false;  // data after padding
      v[k] = b64_value(c);
      if (v[k] < 0)
        return false;
    }
    const uint32_t x = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out += static_cast<char>(x >> 16);
    if (pad < 2)
      out += static_cast<char>((x >> 8) & 0xff);
    if (pad < 1)
      out += static_cast<char>(x & 0xff);
  }
  return true;
}

std::string random_bytes(size_t n) {
  std::string out(n, '\0');
  if (n && RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n)) != 1)
    throw std::runtime_error("OpenSSL RAND_bytes failed");
  return out;
}

std::string hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += digits[c >> 4];
    out += digits[c & 15];
  }
  return out;
}

std::string hash_password(std::string_view password, uint32_t iterations) {
  if (iterations < min_pbkdf2_iterations)
    iterations = min_pbkdf2_iterations;
  const std::string salt = random_bytes(salt_bytes);
  return std::string(scheme) + "$" + std::to_string(iterations) + "$" + base64_encode(salt) + "$" +
         base64_encode(pbkdf2(password, salt, iterations));
}

bool verify_password(std::string_view password, std::string_view stored) {
  if (password.size() > max_password_bytes)
    return false;
  // scheme$iter$salt$hash
  std::string_view parts[4];
  std::string_view rest = stored;
  for (int i = 0; i < 4; ++i) {
    const size_t d = rest.find('$');
    if ((i < 3) == (d == std::string_view::npos))
      return false;
    parts[i] = rest.substr(0, d);
    rest = d == std::string_view::npos ? std::string_view{} : rest.substr(d + 1);
  }
  if (parts[0] != scheme)
    return false;
  uint32_t iterations = 0;
  auto [p, ec] = std::from_chars(parts[1].data(), parts[1].data() + parts[1].size(), iterations);
  if (ec != std::errc{} || p != parts[1].data() + parts[1].size() || iterations < 1000 ||
      iterations > 10'000'000)
    return false;
  std::string salt, expected;
  if (!base64_decode(parts[2], salt) || !base64_decode(parts[3], expected) || salt.empty() ||
      expected.size() != hash_bytes)
    return false;
  const std::string got = pbkdf2(password, salt, iterations);
  return CRYPTO_memcmp(got.data(), expected.data(), hash_bytes) == 0;
}

}  // namespace voxmon::gui
