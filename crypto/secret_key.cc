#include "crypto/secret_key.h"

#include <openssl/crypto.h>

#include <cstring>
#include <string>

#include "core/errors.h"
#include "crypto/random.h"

namespace pathaudit::crypto {

SecretKey SecretKey::generate() {
  SecretKey key;
  random_fill(key.bytes_.data(), kSize);
  key.present_ = true;
  return key;
}

SecretKey SecretKey::from_bytes(const std::uint8_t* data, std::size_t size) {
  if (size != kSize || data == nullptr) {
    throw core::ValidationError("a key must be " + std::to_string(kSize) + " bytes, not " +
                                std::to_string(data == nullptr ? 0 : size));
  }
  SecretKey key;
  std::memcpy(key.bytes_.data(), data, kSize);
  key.present_ = true;
  return key;
}

SecretKey::SecretKey(SecretKey&& other) noexcept : bytes_(other.bytes_), present_(other.present_) {
  other.wipe();
}

SecretKey& SecretKey::operator=(SecretKey&& other) noexcept {
  if (this != &other) {
    bytes_ = other.bytes_;
    present_ = other.present_;
    other.wipe();
  }
  return *this;
}

SecretKey::~SecretKey() {
  wipe();
}

SecretKey SecretKey::clone() const {
  return from_bytes(data(), kSize);
}

const std::uint8_t* SecretKey::data() const {
  if (!present_)
    throw core::CryptoError("use of an empty (moved-from) key");
  return bytes_.data();
}

void SecretKey::wipe() noexcept {
  OPENSSL_cleanse(bytes_.data(), kSize);
  present_ = false;
}

}  // namespace pathaudit::crypto
