#include "crypto/hash.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include "core/errors.h"
#include "crypto/bytes.h"
#include "crypto/openssl_util.h"

namespace pathaudit::crypto {

Digest sha256(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.finish();
}

std::string sha256_hex(std::string_view data) {
  const Digest d = sha256(data);
  return to_hex(d.data(), d.size());
}

Sha256::Sha256() : ctx_(EVP_MD_CTX_new()) {
  if (ctx_ == nullptr)
    detail::throw_openssl_error("cannot allocate a SHA-256 context");
  if (EVP_DigestInit_ex2(ctx_, detail::sha256_md(), nullptr) != 1) {
    EVP_MD_CTX_free(ctx_);
    ctx_ = nullptr;
    detail::throw_openssl_error("cannot start SHA-256");
  }
}

Sha256::Sha256(Sha256&& other) noexcept : ctx_(other.ctx_), finished_(other.finished_) {
  other.ctx_ = nullptr;
}

Sha256& Sha256::operator=(Sha256&& other) noexcept {
  if (this != &other) {
    EVP_MD_CTX_free(ctx_);
    ctx_ = other.ctx_;
    finished_ = other.finished_;
    other.ctx_ = nullptr;
  }
  return *this;
}

Sha256::~Sha256() {
  EVP_MD_CTX_free(ctx_);
}

void Sha256::update(const void* data, std::size_t size) {
  if (ctx_ == nullptr || finished_) {
    throw core::CryptoError("SHA-256 update after finish or move");
  }
  if (size == 0)
    return;
  if (EVP_DigestUpdate(ctx_, data, size) != 1)
    detail::throw_openssl_error("SHA-256 update failed");
}

Digest Sha256::finish() {
  if (ctx_ == nullptr || finished_) {
    throw core::CryptoError("SHA-256 finish called twice or after move");
  }
  finished_ = true;
  Digest out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(ctx_, out.data(), &len) != 1 || len != out.size()) {
    detail::throw_openssl_error("SHA-256 finish failed");
  }
  return out;
}

namespace {

// A context keyed for HMAC-SHA256.
detail::MacCtx new_hmac(const std::uint8_t* key, std::size_t key_len) {
  detail::MacCtx ctx(EVP_MAC_CTX_new(detail::hmac_mac()));
  if (!ctx)
    detail::throw_openssl_error("cannot allocate an HMAC context");
  char digest_name[] = "SHA2-256";
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
      OSSL_PARAM_construct_end()};
  static const std::uint8_t kEmpty = 0;
  if (EVP_MAC_init(ctx.get(), key_len == 0 ? &kEmpty : key, key_len, params) != 1) {
    detail::throw_openssl_error("cannot start HMAC-SHA256");
  }
  return ctx;
}

Digest update_and_finish(EVP_MAC_CTX* ctx, std::string_view data) {
  if (!data.empty() &&
      EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(data.data()), data.size()) != 1) {
    detail::throw_openssl_error("HMAC-SHA256 update failed");
  }
  Digest out{};
  std::size_t len = 0;
  if (EVP_MAC_final(ctx, out.data(), &len, out.size()) != 1 || len != out.size()) {
    detail::throw_openssl_error("HMAC-SHA256 finish failed");
  }
  return out;
}

}  // namespace

Digest hmac_sha256(const std::uint8_t* key, std::size_t key_len, std::string_view data) {
  return update_and_finish(new_hmac(key, key_len).get(), data);
}

HmacSha256::HmacSha256(const std::uint8_t* key, std::size_t key_len)
    : keyed_(new_hmac(key, key_len).release()) {}

HmacSha256::~HmacSha256() {
  for (EVP_MAC_CTX* ctx : pool_)
    EVP_MAC_CTX_free(ctx);
  EVP_MAC_CTX_free(keyed_);
}

Digest HmacSha256::mac(std::string_view data) const {
  EVP_MAC_CTX* reused = nullptr;
  {
    std::lock_guard<std::mutex> lock(pool_mutex_);
    if (!pool_.empty()) {
      reused = pool_.back();
      pool_.pop_back();
    }
  }
  detail::MacCtx ctx(reused ? reused : EVP_MAC_CTX_dup(keyed_));
  if (!ctx)
    detail::throw_openssl_error("cannot copy an HMAC context");
  // A null key re-initialises with the key the copy already holds: no allocation, no new pads.
  if (EVP_MAC_init(ctx.get(), nullptr, 0, nullptr) != 1)
    detail::throw_openssl_error("cannot restart HMAC-SHA256");
  const Digest out = update_and_finish(ctx.get(), data);
  std::lock_guard<std::mutex> lock(pool_mutex_);
  pool_.push_back(ctx.release());
  return out;
}

bool constant_time_equal(const void* a, const void* b, std::size_t size) {
  return CRYPTO_memcmp(a, b, size) == 0;
}

}  // namespace pathaudit::crypto
