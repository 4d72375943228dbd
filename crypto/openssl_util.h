// Private to crypto/: OpenSSL plumbing shared by the .cc files (algorithm fetching, error
// reporting, RAII for contexts). Never include it from outside crypto/; the public headers keep
// OpenSSL out of the rest of the project. Fetched algorithms are immutable once fetched and OpenSSL
// documents them as safe to share between threads; each context is owned by one call.
#pragma once

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <cstddef>
#include <memory>

namespace pathaudit::crypto::detail {

// Throws core::CryptoError with `what` and OpenSSL's first queued reason (reason strings name
// algorithms and parameters, never data), and clears this thread's error queue so a later failure
// is not blamed on a stale entry.
[[noreturn]] void throw_openssl_error(const char* what);

// The default provider's algorithms, fetched once per process (fetching is a locked lookup that
// would otherwise run on every field). Never null: a failed fetch throws CryptoError.
const EVP_MD* sha256_md();
EVP_MAC* hmac_mac();
EVP_KDF* scrypt_kdf();
// AES-GCM for a 16, 24 or 32 byte key; throws core::ValidationError for any other size.
const EVP_CIPHER* aes_gcm_cipher(std::size_t key_size);

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};
struct KdfCtxFree {
  void operator()(EVP_KDF_CTX* c) const { EVP_KDF_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using MacCtx = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;
using KdfCtx = std::unique_ptr<EVP_KDF_CTX, KdfCtxFree>;

// Wipes a buffer when the scope ends, on success and on throw alike.
class ScopedCleanse {
 public:
  ScopedCleanse(void* data, std::size_t size) : data_(data), size_(size) {}
  ~ScopedCleanse();
  ScopedCleanse(const ScopedCleanse&) = delete;
  ScopedCleanse& operator=(const ScopedCleanse&) = delete;

 private:
  void* data_;
  std::size_t size_;
};

}  // namespace pathaudit::crypto::detail
