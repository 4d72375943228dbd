#include "crypto/random.h"

#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstring>

#include "core/errors.h"
#include "crypto/openssl_util.h"

namespace pathaudit::crypto {

void random_fill(void* out, std::size_t n) {
  auto* p = static_cast<unsigned char*>(out);
  // RAND_bytes takes an int length.
  while (n > 0) {
    const std::size_t chunk = std::min<std::size_t>(n, INT_MAX);
    if (RAND_bytes(p, static_cast<int>(chunk)) != 1) {
      detail::throw_openssl_error("random number generator failed");
    }
    p += chunk;
    n -= chunk;
  }
}

void random_public_fill(void* out, std::size_t n) {
  struct Pool {
    unsigned char bytes[4096];
    std::size_t used = sizeof bytes;
    pid_t pid = 0;
  };
  thread_local Pool pool;
  if (n > 64)
    throw core::Error("random_public_fill takes at most 64 bytes at a time");
  const pid_t pid = ::getpid();
  if (pool.used + n > sizeof pool.bytes || pool.pid != pid) {
    random_fill(pool.bytes, sizeof pool.bytes);
    pool.used = 0;
    pool.pid = pid;
  }
  std::memcpy(out, pool.bytes + pool.used, n);
  // Used bytes are wiped so the buffer never holds a nonce already handed out.
  std::memset(pool.bytes + pool.used, 0, n);
  pool.used += n;
}

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  random_fill(out.data(), n);
  return out;
}

}  // namespace pathaudit::crypto
