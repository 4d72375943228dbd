// SHA-256, HMAC-SHA256 and constant-time comparison. Used for file digests (export logging, audit
// log hash chain), pseudonyms and token hashing. Free functions are thread-safe. A Sha256 object
// owns its OpenSSL context, is move-only and must be used by one thread at a time.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

struct evp_md_ctx_st;   // OpenSSL's EVP_MD_CTX, kept out of this header.
struct evp_mac_ctx_st;  // OpenSSL's EVP_MAC_CTX.

namespace pathaudit::crypto {

using Digest = std::array<std::uint8_t, 32>;

Digest sha256(std::string_view data);
std::string sha256_hex(std::string_view data);

// Streaming SHA-256 for inputs too large to hold in memory (exported workbooks, backups).
class Sha256 {
 public:
  Sha256();  // Throws core::CryptoError if OpenSSL cannot set up the digest.
  Sha256(Sha256&& other) noexcept;
  Sha256& operator=(Sha256&& other) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  ~Sha256();

  void update(const void* data, std::size_t size);
  void update(std::string_view data) { update(data.data(), data.size()); }
  // Ends the computation. Calling update() or finish() again throws core::CryptoError, because a
  // silently restarted digest would hash only part of the input.
  Digest finish();

 private:
  evp_md_ctx_st* ctx_ = nullptr;
  bool finished_ = false;
};

// HMAC-SHA256 (RFC 2104). Any key length, including zero.
Digest hmac_sha256(const std::uint8_t* key, std::size_t key_len, std::string_view data);

// True if the buffers are equal, in time that depends only on `size`. Use for every comparison of
// MACs, hashes and tokens so response times do not leak how many leading bytes matched.
// HMAC-SHA256 under one key, keyed once. mac() takes a copy of the keyed context from a small pool
// (making one only when every copy is in use), re-initialises it with the key it holds and returns
// it: no allocation per MAC, which an import computing millions of pseudonyms would otherwise pay
// (about five times the cost of the MAC itself). Owns the keyed context and the pooled copies, and
// frees them all, key material included, when destroyed. mac() is safe to call from many threads.
class HmacSha256 {
 public:
  HmacSha256(const std::uint8_t* key, std::size_t key_len);
  ~HmacSha256();
  HmacSha256(const HmacSha256&) = delete;
  HmacSha256& operator=(const HmacSha256&) = delete;
  Digest mac(std::string_view data) const;

 private:
  ::evp_mac_ctx_st* keyed_ = nullptr;
  mutable std::mutex pool_mutex_;
  mutable std::vector<::evp_mac_ctx_st*> pool_;  // guarded by pool_mutex_
};

bool constant_time_equal(const void* a, const void* b, std::size_t size);

}  // namespace pathaudit::crypto
