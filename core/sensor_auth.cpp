#include "core/sensor_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace voxmon::core {

namespace {

std::string to_hex(const unsigned char* data, size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (size_t i = 0; i < size; ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 0x0f];
  }
  return out;
}

}  // namespace

std::string make_auth_nonce() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("the OpenSSL random generator failed");
  return to_hex(bytes.data(), bytes.size());
}

std::string make_auth_proof(std::string_view password, std::string_view nonce, uint32_t id_sensor,
                            std::string_view sensor_name) {
  // The message: nonce, '|', the id in decimal, '|', the name: unambiguous since the nonce is
  // fixed-length hex and the id has no '|'.
  std::string message;
  message.reserve(nonce.size() + sensor_name.size() + 16);
  message.append(nonce).append("|").append(std::to_string(id_sensor)).append("|").append(sensor_name);
  std::array<unsigned char, EVP_MAX_MD_SIZE> mac{};
  unsigned int mac_size = 0;
  HMAC(EVP_sha256(), password.data(), static_cast<int>(password.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), mac.data(), &mac_size);
  return to_hex(mac.data(), mac_size);
}

bool auth_proof_matches(std::string_view password, std::string_view nonce, uint32_t id_sensor,
                        std::string_view sensor_name, std::string_view proof) {
  const std::string expected = make_auth_proof(password, nonce, id_sensor, sensor_name);
  return proof.size() == expected.size() &&
         CRYPTO_memcmp(proof.data(), expected.data(), expected.size()) == 0;
}

}  // namespace voxmon::core
