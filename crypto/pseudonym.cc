#include "crypto/pseudonym.h"

#include <openssl/crypto.h>

#include "core/errors.h"
#include "crypto/hash.h"

namespace pathaudit::crypto {

std::string_view domain_prefix(IdentifierKind kind) {
  using namespace std::string_view_literals;
  switch (kind) {
    case IdentifierKind::nhs_number:
      return "pathaudit/v1/nhs\x1f"sv;
    case IdentifierKind::local_id:
      return "pathaudit/v1/local-id\x1f"sv;
    case IdentifierKind::name_dob:
      return "pathaudit/v1/name-dob\x1f"sv;
    case IdentifierKind::phonetic_dob:
      return "pathaudit/v1/phonetic-dob\x1f"sv;
    case IdentifierKind::event_ref:
      return "pathaudit/v1/event-ref\x1f"sv;
  }
  throw core::ValidationError("unknown identifier kind");
}

Pseudonym pseudonym(const Keyring& keyring, IdentifierKind kind,
                    std::string_view normalised_value) {
  if (normalised_value.empty()) {
    throw core::ValidationError("cannot make a pseudonym of an empty identifier");
  }
  const std::string_view prefix = domain_prefix(kind);
  std::string message;
  message.reserve(prefix.size() + normalised_value.size());
  message.append(prefix);
  message.append(normalised_value);
  Pseudonym out = keyring.hmac(kPurposePseudonym, message);
  // The message is the identifier itself; do not leave it in freed memory.
  OPENSSL_cleanse(message.data(), message.size());
  return out;
}

std::string compound_value(std::initializer_list<std::string_view> parts) {
  std::string out;
  bool first = true;
  for (std::string_view part : parts) {
    if (part.empty())
      throw core::ValidationError("a compound identifier has an empty part");
    if (part.find('\x1f') != std::string_view::npos) {
      throw core::ValidationError("a compound identifier part contains the separator 0x1F");
    }
    if (!first)
      out.push_back('\x1f');
    out.append(part);
    first = false;
  }
  if (first)
    throw core::ValidationError("a compound identifier has no parts");
  return out;
}

std::string display_key(const Pseudonym& pseudonym, int characters) {
  if (characters < 10 || characters > 20) {
    throw core::ValidationError("a display key has 10 to 20 characters");
  }
  Sha256 h;
  h.update(std::string_view("pathaudit/display-key"));
  h.update(pseudonym.data(), pseudonym.size());
  const Digest d = h.finish();
  // RFC 4648 base32: no 0/1/8/9, so no O/0 or I/1 confusion when a reviewer reads a key aloud.
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  std::string out = "C-";
  // Character i is bits 5i to 5i+4 of the digest, most significant first.
  for (int i = 0; i < characters; ++i) {
    const int bit = 5 * i;
    const unsigned two = (static_cast<unsigned>(d[bit / 8]) << 8) | d[bit / 8 + 1];
    out.push_back(kAlphabet[(two >> (11 - bit % 8)) & 0x1f]);
  }
  return out;
}

}  // namespace pathaudit::crypto
