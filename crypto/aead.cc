#include "crypto/aead.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/params.h>

#include <climits>
#include <cstring>

#include "core/errors.h"
#include "crypto/openssl_util.h"
#include "crypto/random.h"

namespace pathaudit::crypto {

namespace {

// GCM's own limit is 2^39 - 256 bits per message; OpenSSL's update takes an int. Fields are far
// smaller, so refuse anything near either bound instead of splitting.
constexpr std::size_t kMaxMessage = INT_MAX / 2;

struct Span {
  const std::uint8_t* data;
  std::size_t size;
};

void check_length(std::size_t size, const char* what) {
  if (size > kMaxMessage) {
    throw core::ValidationError(std::string("AES-GCM ") + what + " is too large (" +
                                std::to_string(size) + " bytes)");
  }
}

detail::CipherCtx init_gcm(bool encrypt, Span key, Span iv) {
  const EVP_CIPHER* cipher = detail::aes_gcm_cipher(key.size);
  if (iv.size == 0 || iv.size > 1024) {
    throw core::ValidationError("AES-GCM IV must be 1 to 1024 bytes, not " +
                                std::to_string(iv.size));
  }
  detail::CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx)
    detail::throw_openssl_error("cannot allocate a cipher context");
  std::size_t iv_len = iv.size;
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_size_t(OSSL_CIPHER_PARAM_AEAD_IVLEN, &iv_len),
                               OSSL_PARAM_construct_end()};
  auto init = encrypt ? EVP_EncryptInit_ex2 : EVP_DecryptInit_ex2;
  // The IV length must be set before the IV itself: first the cipher, key and length, then the IV.
  if (init(ctx.get(), cipher, key.data, nullptr, params) != 1 ||
      init(ctx.get(), nullptr, nullptr, iv.data, nullptr) != 1) {
    detail::throw_openssl_error("cannot initialise AES-GCM");
  }
  return ctx;
}

void gcm_encrypt_raw(Span key, Span iv, Span aad, Span plaintext, std::uint8_t* ciphertext_out,
                     std::uint8_t* tag_out) {
  check_length(aad.size, "additional data");
  check_length(plaintext.size, "plaintext");
  detail::CipherCtx ctx = init_gcm(true, key, iv);
  int len = 0;
  if (aad.size > 0 &&
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, aad.data, static_cast<int>(aad.size)) != 1) {
    detail::throw_openssl_error("AES-GCM additional data failed");
  }
  int written = 0;
  if (plaintext.size > 0) {
    if (EVP_EncryptUpdate(ctx.get(), ciphertext_out, &len, plaintext.data,
                          static_cast<int>(plaintext.size)) != 1) {
      detail::throw_openssl_error("AES-GCM encryption failed");
    }
    written = len;
  }
  // GCM is a stream mode: final writes nothing, but the call computes the tag. A scratch buffer
  // keeps the pointer valid when the plaintext (and so the output) is empty.
  std::uint8_t scratch[16];
  if (EVP_EncryptFinal_ex(ctx.get(), scratch, &len) != 1) {
    detail::throw_openssl_error("AES-GCM encryption failed");
  }
  if (static_cast<std::size_t>(written) + static_cast<std::size_t>(len) != plaintext.size ||
      len != 0) {
    throw core::CryptoError("AES-GCM produced an unexpected ciphertext length");
  }
  OSSL_PARAM get[] = {
      OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag_out, kGcmTagSize),
      OSSL_PARAM_construct_end()};
  if (EVP_CIPHER_CTX_get_params(ctx.get(), get) != 1) {
    detail::throw_openssl_error("cannot read the AES-GCM tag");
  }
}

// False when authentication fails; the output is then wiped, so no unauthenticated plaintext can
// escape even through the caller's buffer.
bool gcm_decrypt_raw(Span key, Span iv, Span aad, Span ciphertext, Span tag,
                     std::uint8_t* plaintext_out) {
  check_length(aad.size, "additional data");
  check_length(ciphertext.size, "ciphertext");
  if (tag.size != kGcmTagSize) {
    throw core::ValidationError("AES-GCM tag must be 16 bytes, not " + std::to_string(tag.size));
  }
  detail::CipherCtx ctx = init_gcm(false, key, iv);
  int len = 0;
  if (aad.size > 0 &&
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, aad.data, static_cast<int>(aad.size)) != 1) {
    detail::throw_openssl_error("AES-GCM additional data failed");
  }
  // From here on plaintext_out may hold unauthenticated bytes: wipe them on every failure path.
  auto wipe_output = [&] {
    if (ciphertext.size > 0)
      OPENSSL_cleanse(plaintext_out, ciphertext.size);
  };
  if (ciphertext.size > 0 && EVP_DecryptUpdate(ctx.get(), plaintext_out, &len, ciphertext.data,
                                               static_cast<int>(ciphertext.size)) != 1) {
    wipe_output();
    detail::throw_openssl_error("AES-GCM decryption failed");
  }
  std::uint8_t tag_copy[kGcmTagSize];
  std::memcpy(tag_copy, tag.data, kGcmTagSize);
  const OSSL_PARAM set[] = {
      OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag_copy, kGcmTagSize),
      OSSL_PARAM_construct_end()};
  if (EVP_CIPHER_CTX_set_params(ctx.get(), set) != 1) {
    wipe_output();
    detail::throw_openssl_error("cannot set the AES-GCM tag");
  }
  std::uint8_t scratch[16];
  if (EVP_DecryptFinal_ex(ctx.get(), scratch, &len) != 1) {
    // Expected outcome for a wrong key or altered data; not an OpenSSL malfunction.
    ERR_clear_error();
    wipe_output();
    return false;
  }
  return true;
}

Span span_of(const Bytes& b) {
  return {b.data(), b.size()};
}

Span span_of(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// header || associated data: the exact bytes GCM authenticates besides the ciphertext.
Bytes field_aad(const std::uint8_t* header, std::string_view associated_data) {
  Bytes aad(kSealedHeaderSize + associated_data.size());
  std::memcpy(aad.data(), header, kSealedHeaderSize);
  if (!associated_data.empty()) {
    std::memcpy(aad.data() + kSealedHeaderSize, associated_data.data(), associated_data.size());
  }
  return aad;
}

void check_sealed(const Bytes& sealed) {
  if (sealed.size() < kSealedOverhead) {
    throw core::CryptoError("sealed field is truncated (" + std::to_string(sealed.size()) +
                            " bytes, at least " + std::to_string(kSealedOverhead) + " expected)");
  }
  if (sealed[0] != kSealedVersion) {
    throw core::CryptoError("sealed field has unknown format version " + std::to_string(sealed[0]));
  }
}

}  // namespace

Bytes gcm_encrypt(const Bytes& key, const Bytes& iv, const Bytes& aad, const Bytes& plaintext,
                  Bytes* tag_out) {
  if (tag_out == nullptr)
    throw core::ValidationError("gcm_encrypt needs somewhere to put the tag");
  Bytes ciphertext(plaintext.size());
  Bytes tag(kGcmTagSize);
  gcm_encrypt_raw(span_of(key), span_of(iv), span_of(aad), span_of(plaintext), ciphertext.data(),
                  tag.data());
  *tag_out = std::move(tag);
  return ciphertext;
}

std::optional<Bytes> gcm_decrypt(const Bytes& key, const Bytes& iv, const Bytes& aad,
                                 const Bytes& ciphertext, const Bytes& tag) {
  Bytes plaintext(ciphertext.size());
  if (!gcm_decrypt_raw(span_of(key), span_of(iv), span_of(aad), span_of(ciphertext), span_of(tag),
                       plaintext.data())) {
    return std::nullopt;
  }
  return plaintext;
}

namespace {

// An AES-256-GCM encryption context holding the key schedule, with 96-bit nonces, ready for
// seal_with().
detail::CipherCtx keyed_gcm(const std::uint8_t* key) {
  detail::CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx)
    detail::throw_openssl_error("cannot allocate a cipher context");
  if (EVP_EncryptInit_ex2(ctx.get(), detail::aes_gcm_cipher(SecretKey::kSize), key, nullptr,
                          nullptr) != 1) {
    detail::throw_openssl_error("cannot initialise AES-GCM");
  }
  return ctx;
}

// One sealed field through a keyed context: a fresh nonce, then header and associated data as
// GCM's additional data (fed in two parts, which GCM allows before any plaintext).
Bytes seal_with(EVP_CIPHER_CTX* ctx, std::uint32_t key_id, const std::uint8_t* plaintext,
                std::size_t plaintext_size, std::string_view associated_data) {
  check_length(plaintext_size, "plaintext");
  check_length(associated_data.size(), "additional data");
  Bytes out(kSealedOverhead + plaintext_size);
  std::uint8_t* header = out.data();
  header[0] = kSealedVersion;
  header[1] = static_cast<std::uint8_t>(key_id >> 24);
  header[2] = static_cast<std::uint8_t>(key_id >> 16);
  header[3] = static_cast<std::uint8_t>(key_id >> 8);
  header[4] = static_cast<std::uint8_t>(key_id);
  std::uint8_t* nonce = header + kSealedHeaderSize;
  // A fresh random 96-bit nonce per seal: the collision bound stays negligible far beyond any
  // number of fields this service will hold under one key (NIST SP 800-38D allows 2^32 seals).
  random_public_fill(nonce, kGcmNonceSize);
  std::uint8_t* ciphertext = nonce + kGcmNonceSize;
  std::uint8_t* tag = ciphertext + plaintext_size;
  int len = 0;
  // A new message under the key already set: only the nonce changes.
  if (EVP_EncryptInit_ex2(ctx, nullptr, nullptr, nonce, nullptr) != 1 ||
      EVP_EncryptUpdate(ctx, nullptr, &len, header, static_cast<int>(kSealedHeaderSize)) != 1 ||
      (!associated_data.empty() &&
       EVP_EncryptUpdate(ctx, nullptr, &len,
                         reinterpret_cast<const std::uint8_t*>(associated_data.data()),
                         static_cast<int>(associated_data.size())) != 1)) {
    detail::throw_openssl_error("AES-GCM additional data failed");
  }
  int written = 0;
  if (plaintext_size > 0) {
    if (EVP_EncryptUpdate(ctx, ciphertext, &len, plaintext, static_cast<int>(plaintext_size)) !=
        1) {
      detail::throw_openssl_error("AES-GCM encryption failed");
    }
    written = len;
  }
  std::uint8_t scratch[16];  // final writes nothing in GCM; keeps the pointer valid
  if (EVP_EncryptFinal_ex(ctx, scratch, &len) != 1)
    detail::throw_openssl_error("AES-GCM encryption failed");
  if (static_cast<std::size_t>(written) != plaintext_size || len != 0)
    throw core::CryptoError("AES-GCM produced an unexpected ciphertext length");
  OSSL_PARAM get[] = {
      OSSL_PARAM_construct_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, kGcmTagSize),
      OSSL_PARAM_construct_end()};
  if (EVP_CIPHER_CTX_get_params(ctx, get) != 1)
    detail::throw_openssl_error("cannot read the AES-GCM tag");
  return out;
}

}  // namespace

namespace detail {

Bytes seal_raw(const std::uint8_t* key, std::uint32_t key_id, const std::uint8_t* plaintext,
               std::size_t plaintext_size, std::string_view associated_data) {
  const CipherCtx ctx = keyed_gcm(key);
  return seal_with(ctx.get(), key_id, plaintext, plaintext_size, associated_data);
}

void open_raw(const std::uint8_t* key, const Bytes& sealed, std::string_view associated_data,
              std::uint8_t* out) {
  check_sealed(sealed);
  const std::uint8_t* header = sealed.data();
  const std::uint8_t* nonce = header + kSealedHeaderSize;
  const std::uint8_t* ciphertext = nonce + kGcmNonceSize;
  const std::size_t ciphertext_size = sealed.size() - kSealedOverhead;
  const std::uint8_t* tag = ciphertext + ciphertext_size;
  const Bytes aad = field_aad(header, associated_data);
  if (!gcm_decrypt_raw({key, SecretKey::kSize}, {nonce, kGcmNonceSize}, span_of(aad),
                       {ciphertext, ciphertext_size}, {tag, kGcmTagSize}, out)) {
    throw core::CryptoError(
        "sealed field does not open (wrong key, wrong associated data, or altered)");
  }
}

}  // namespace detail

Bytes seal(const SecretKey& key, std::uint32_t key_id, std::string_view plaintext,
           std::string_view associated_data) {
  const Span p = span_of(plaintext);
  return detail::seal_raw(key.data(), key_id, p.data, p.size, associated_data);
}

struct FieldSealer::Context {
  detail::CipherCtx ctx;
};

FieldSealer::FieldSealer(const SecretKey& key, std::uint32_t key_id)
    : context_(new Context{keyed_gcm(key.data())}), key_id_(key_id) {}
FieldSealer::~FieldSealer() = default;
FieldSealer::FieldSealer(FieldSealer&&) noexcept = default;
FieldSealer& FieldSealer::operator=(FieldSealer&&) noexcept = default;

Bytes FieldSealer::seal(std::string_view plaintext, std::string_view associated_data) {
  const Span p = span_of(plaintext);
  return seal_with(context_->ctx.get(), key_id_, p.data, p.size, associated_data);
}

std::string open(const SecretKey& key, const Bytes& sealed, std::string_view associated_data) {
  check_sealed(sealed);
  std::string plaintext(sealed.size() - kSealedOverhead, '\0');
  detail::open_raw(key.data(), sealed, associated_data,
                   reinterpret_cast<std::uint8_t*>(plaintext.data()));
  return plaintext;
}

std::uint32_t sealed_key_id(const Bytes& sealed) {
  check_sealed(sealed);
  return static_cast<std::uint32_t>(sealed[1]) << 24 | static_cast<std::uint32_t>(sealed[2]) << 16 |
         static_cast<std::uint32_t>(sealed[3]) << 8 | static_cast<std::uint32_t>(sealed[4]);
}

}  // namespace pathaudit::crypto
