#include "crypto/password.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>

#include <atomic>
#include <charconv>
#include <semaphore>
#include <vector>

#include "core/errors.h"
#include "crypto/hash.h"
#include "crypto/openssl_util.h"
#include "crypto/random.h"

namespace pathaudit::crypto {

namespace {

constexpr std::size_t kSaltSize = 16;
constexpr std::size_t kHashSize = 32;
constexpr std::size_t kMinStoredSalt = 8;
constexpr std::size_t kMaxStoredSalt = 64;
constexpr std::ptrdiff_t kMaxConcurrency = 64;

std::atomic<std::ptrdiff_t> g_concurrency{2};
std::atomic<bool> g_limiter_started{false};

std::counting_semaphore<kMaxConcurrency>& limiter() {
  static std::counting_semaphore<kMaxConcurrency> sem(
      (g_limiter_started.store(true), g_concurrency.load()));
  return sem;
}

class LimiterSlot {
 public:
  LimiterSlot() { limiter().acquire(); }
  ~LimiterSlot() { limiter().release(); }
  LimiterSlot(const LimiterSlot&) = delete;
  LimiterSlot& operator=(const LimiterSlot&) = delete;
};

// Memory OpenSSL's scrypt will allocate (its own formula: B is p * 128 * r, V is
// 32 * r * (N + 2) words), which is also the maxmem we pass so the check is exact, not a guess.
// Returns 0 if the parameters overflow.
std::uint64_t scrypt_memory(std::uint64_t n, std::uint32_t r, std::uint32_t p) {
  const std::uint64_t per_r = 128 * (n + 2);
  if (r == 0 || p == 0 || n > (std::uint64_t{1} << 40) || per_r > UINT64_MAX / r)
    return 0;
  const std::uint64_t v = per_r * r;
  const std::uint64_t b = std::uint64_t{128} * r * p;
  return v + b;
}

void check_params(std::uint64_t n, std::uint32_t r, std::uint32_t p) {
  if (n < 2 || (n & (n - 1)) != 0) {
    throw core::ValidationError("scrypt N must be a power of two greater than 1");
  }
  if (r < 1 || r > kScryptMaxR || p < 1 || p > kScryptMaxP) {
    throw core::ValidationError("scrypt r must be 1 to " + std::to_string(kScryptMaxR) +
                                " and p 1 to " + std::to_string(kScryptMaxP));
  }
  // 128 * r * N is scrypt's nominal memory; OpenSSL adds a few blocks, which maxmem accounts for.
  if (n > kScryptMaxMemory / (std::uint64_t{128} * r) || scrypt_memory(n, r, p) == 0) {
    throw core::ValidationError("scrypt parameters need more than 1 GiB of memory");
  }
}

void check_params(const ScryptParams& params) {
  if (params.log2_n < 1 || params.log2_n > kScryptMaxLog2N) {
    throw core::ValidationError("scrypt ln must be 1 to " + std::to_string(kScryptMaxLog2N));
  }
  check_params(std::uint64_t{1} << params.log2_n, params.r, params.p);
}

void scrypt_into(std::string_view password, const std::uint8_t* salt, std::size_t salt_size,
                 std::uint64_t n, std::uint32_t r, std::uint32_t p, std::uint8_t* out,
                 std::size_t length) {
  check_params(n, r, p);
  if (length == 0 || length > 1024) {
    throw core::ValidationError("scrypt output length must be 1 to 1024 bytes");
  }
  std::uint64_t maxmem = scrypt_memory(n, r, p);
  // OpenSSL needs non-null buffers even for the empty password and salt of RFC 7914's first vector.
  static char kEmpty = 0;
  char* pw = password.empty() ? &kEmpty : const_cast<char*>(password.data());
  void* s = salt_size == 0 ? static_cast<void*>(&kEmpty)
                           : const_cast<void*>(static_cast<const void*>(salt));
  const OSSL_PARAM params[] = {
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_PASSWORD, pw, password.size()),
      OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT, s, salt_size),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_N, &n),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_R, &r),
      OSSL_PARAM_construct_uint32(OSSL_KDF_PARAM_SCRYPT_P, &p),
      OSSL_PARAM_construct_uint64(OSSL_KDF_PARAM_SCRYPT_MAXMEM, &maxmem),
      OSSL_PARAM_construct_end()};
  detail::KdfCtx ctx(EVP_KDF_CTX_new(detail::scrypt_kdf()));
  if (!ctx)
    detail::throw_openssl_error("cannot allocate a scrypt context");
  LimiterSlot slot;
  if (EVP_KDF_derive(ctx.get(), out, length, params) != 1) {
    OPENSSL_cleanse(out, length);
    detail::throw_openssl_error("scrypt failed");
  }
}

// RFC 4648 base64, standard alphabet, no padding (the PHC string convention).
constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string b64_encode(const std::uint8_t* data, std::size_t size) {
  std::string out;
  std::size_t i = 0;
  for (; i + 3 <= size; i += 3) {
    const std::uint32_t v = data[i] << 16 | data[i + 1] << 8 | data[i + 2];
    out += {kB64[v >> 18], kB64[(v >> 12) & 63], kB64[(v >> 6) & 63], kB64[v & 63]};
  }
  if (size - i == 1) {
    const std::uint32_t v = data[i] << 16;
    out += {kB64[v >> 18], kB64[(v >> 12) & 63]};
  } else if (size - i == 2) {
    const std::uint32_t v = data[i] << 16 | data[i + 1] << 8;
    out += {kB64[v >> 18], kB64[(v >> 12) & 63], kB64[(v >> 6) & 63]};
  }
  return out;
}

int b64_value(char c) {
  if (c >= 'A' && c <= 'Z')
    return c - 'A';
  if (c >= 'a' && c <= 'z')
    return c - 'a' + 26;
  if (c >= '0' && c <= '9')
    return c - '0' + 52;
  if (c == '+')
    return 62;
  if (c == '/')
    return 63;
  return -1;
}

[[noreturn]] void malformed(const char* why) {
  throw core::ValidationError(std::string("malformed password hash: ") + why);
}

// Strict: rejects padding, stray characters and non-zero leftover bits, so each byte string has
// exactly one accepted encoding.
Bytes b64_decode(std::string_view text) {
  if (text.size() % 4 == 1)
    malformed("bad base64 length");
  Bytes out;
  std::uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    const int v = b64_value(c);
    if (v < 0)
      malformed("bad base64 character");
    acc = (acc << 6 | static_cast<std::uint32_t>(v)) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<std::uint8_t>(acc >> bits));
    }
  }
  if ((acc & ((1u << bits) - 1)) != 0)
    malformed("non-canonical base64");
  return out;
}

struct Parsed {
  ScryptParams params;
  Bytes salt;
  Bytes hash;
};

bool take_number(std::string_view& s, std::string_view label, std::uint64_t* out) {
  if (!s.starts_with(label))
    return false;
  s.remove_prefix(label.size());
  const char* begin = s.data();
  std::size_t digits = 0;
  while (digits < s.size() && s[digits] >= '0' && s[digits] <= '9')
    ++digits;
  if (digits == 0 || digits > 9 || (digits > 1 && s[0] == '0'))
    return false;
  const auto res = std::from_chars(begin, begin + digits, *out);
  if (res.ec != std::errc() || res.ptr != begin + digits)
    return false;
  s.remove_prefix(digits);
  return true;
}

Parsed parse(std::string_view encoded) {
  constexpr std::string_view kPrefix = "$scrypt$";
  if (encoded.size() > 512)
    malformed("too long");
  if (!encoded.starts_with(kPrefix))
    malformed("not an scrypt hash");
  std::string_view rest = encoded.substr(kPrefix.size());
  Parsed p;
  std::uint64_t ln = 0, r = 0, par = 0;
  if (!take_number(rest, "ln=", &ln) || !take_number(rest, ",r=", &r) ||
      !take_number(rest, ",p=", &par) || !rest.starts_with('$')) {
    malformed("bad parameters");
  }
  rest.remove_prefix(1);
  const std::size_t dollar = rest.find('$');
  if (dollar == std::string_view::npos)
    malformed("missing hash");
  p.salt = b64_decode(rest.substr(0, dollar));
  p.hash = b64_decode(rest.substr(dollar + 1));
  if (p.salt.size() < kMinStoredSalt || p.salt.size() > kMaxStoredSalt) {
    malformed("bad salt length");
  }
  if (p.hash.size() != kHashSize)
    malformed("bad hash length");
  if (ln < 1 || ln > kScryptMaxLog2N || r < 1 || r > kScryptMaxR || par < 1 || par > kScryptMaxP) {
    malformed("parameters out of bounds");
  }
  p.params = {ln, static_cast<std::uint32_t>(r), static_cast<std::uint32_t>(par)};
  try {
    check_params(p.params);
  } catch (const core::ValidationError&) {
    malformed("parameters out of bounds");
  }
  return p;
}

}  // namespace

Bytes scrypt_raw(std::string_view password, std::string_view salt, std::uint64_t n, std::uint32_t r,
                 std::uint32_t p, std::size_t length) {
  if (length == 0 || length > 1024) {
    throw core::ValidationError("scrypt output length must be 1 to 1024 bytes");
  }
  Bytes out(length);
  scrypt_into(password, reinterpret_cast<const std::uint8_t*>(salt.data()), salt.size(), n, r, p,
              out.data(), length);
  return out;
}

std::string hash_password(std::string_view password, const ScryptParams& params) {
  if (password.size() > kMaxPasswordBytes) {
    throw core::ValidationError("password is longer than " + std::to_string(kMaxPasswordBytes) +
                                " bytes");
  }
  check_params(params);
  std::uint8_t salt[kSaltSize];
  random_fill(salt, sizeof salt);
  std::uint8_t hash[kHashSize];
  detail::ScopedCleanse wipe(hash, sizeof hash);
  scrypt_into(password, salt, sizeof salt, std::uint64_t{1} << params.log2_n, params.r, params.p,
              hash, sizeof hash);
  return "$scrypt$ln=" + std::to_string(params.log2_n) + ",r=" + std::to_string(params.r) +
         ",p=" + std::to_string(params.p) + "$" + b64_encode(salt, sizeof salt) + "$" +
         b64_encode(hash, sizeof hash);
}

bool verify_password(std::string_view password, std::string_view encoded) {
  const Parsed parsed = parse(encoded);
  // hash_password refuses such passwords, so none can match; answering early keeps the work a
  // hostile request can cause bounded.
  if (password.size() > kMaxPasswordBytes)
    return false;
  std::uint8_t hash[kHashSize];
  detail::ScopedCleanse wipe(hash, sizeof hash);
  scrypt_into(password, parsed.salt.data(), parsed.salt.size(),
              std::uint64_t{1} << parsed.params.log2_n, parsed.params.r, parsed.params.p, hash,
              sizeof hash);
  return constant_time_equal(hash, parsed.hash.data(), kHashSize);
}

bool password_needs_rehash(std::string_view encoded, const ScryptParams& wanted) {
  const Parsed parsed = parse(encoded);
  return parsed.params.log2_n != wanted.log2_n || parsed.params.r != wanted.r ||
         parsed.params.p != wanted.p || parsed.salt.size() != kSaltSize;
}

void set_scrypt_concurrency(unsigned max_concurrent) {
  if (max_concurrent < 1 || max_concurrent > kMaxConcurrency) {
    throw core::ValidationError("scrypt concurrency must be 1 to " +
                                std::to_string(kMaxConcurrency));
  }
  if (g_limiter_started.load()) {
    throw core::ConflictError("scrypt concurrency can only be set before the first password check");
  }
  g_concurrency.store(static_cast<std::ptrdiff_t>(max_concurrent));
}

}  // namespace pathaudit::crypto
