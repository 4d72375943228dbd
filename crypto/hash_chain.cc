#include "crypto/hash_chain.h"

#include "crypto/hash.h"

namespace pathaudit::crypto {

const std::string& chain_genesis() {
  static const std::string genesis(64, '0');
  return genesis;
}

std::string chain_hash(std::string_view prev_hash, const std::vector<std::string_view>& fields) {
  std::string buf = "pathaudit/audit-log/v1";
  auto append = [&](std::string_view f) {
    buf += '\x1f';
    buf += std::to_string(f.size());
    buf += ':';
    buf += f;
  };
  append(prev_hash);
  for (std::string_view f : fields)
    append(f);
  return sha256_hex(buf);
}

}  // namespace pathaudit::crypto
