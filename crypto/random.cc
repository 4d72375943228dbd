#include "crypto/random.h"

#include <openssl/rand.h>

#include <algorithm>
#include <climits>

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

Bytes random_bytes(std::size_t n) {
  Bytes out(n);
  random_fill(out.data(), n);
  return out;
}

}  // namespace pathaudit::crypto
