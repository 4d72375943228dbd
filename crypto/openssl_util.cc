#include "crypto/openssl_util.h"

#include <openssl/crypto.h>
#include <openssl/err.h>

#include <string>

#include "core/errors.h"

namespace pathaudit::crypto::detail {

void throw_openssl_error(const char* what) {
  std::string message = what;
  const unsigned long code = ERR_get_error();
  if (code != 0) {
    char reason[256];
    ERR_error_string_n(code, reason, sizeof reason);
    message += " (";
    message += reason;
    message += ")";
  }
  ERR_clear_error();
  throw core::CryptoError(message);
}

ScopedCleanse::~ScopedCleanse() {
  if (data_ != nullptr && size_ > 0)
    OPENSSL_cleanse(data_, size_);
}

namespace {

// A failed fetch leaves the static null, so every later call reports it again rather than crashing.
template <typename T>
T* require_fetched(T* fetched, const char* name) {
  if (fetched == nullptr) {
    std::string what = "cannot fetch OpenSSL algorithm ";
    what += name;
    throw_openssl_error(what.c_str());
  }
  return fetched;
}

}  // namespace

// Function-local statics: initialised once, thread-safely, on first use. The fetched objects are
// deliberately never freed; they live as long as the process, like OpenSSL's own default context.
const EVP_MD* sha256_md() {
  static const EVP_MD* md = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
  return require_fetched(md, "SHA2-256");
}

EVP_MAC* hmac_mac() {
  static EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return require_fetched(mac, "HMAC");
}

EVP_KDF* scrypt_kdf() {
  static EVP_KDF* kdf = EVP_KDF_fetch(nullptr, "SCRYPT", nullptr);
  return require_fetched(kdf, "SCRYPT");
}

const EVP_CIPHER* aes_gcm_cipher(std::size_t key_size) {
  switch (key_size) {
    case 16: {
      static const EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-128-GCM", nullptr);
      return require_fetched(c, "AES-128-GCM");
    }
    case 24: {
      static const EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-192-GCM", nullptr);
      return require_fetched(c, "AES-192-GCM");
    }
    case 32: {
      static const EVP_CIPHER* c = EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr);
      return require_fetched(c, "AES-256-GCM");
    }
    default:
      throw core::ValidationError("AES-GCM key must be 16, 24 or 32 bytes, not " +
                                  std::to_string(key_size));
  }
}

}  // namespace pathaudit::crypto::detail
