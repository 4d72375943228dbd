// Pseudonyms: the keyed hashes that replace child identifiers at the edge (DESIGN.md section 4).
// pseudonym = HMAC-SHA256(pseudonym key, domain prefix of the kind || normalised value), so only a
// holder of the partnership's key can test a guess, and equal strings of different kinds (an NHS
// number and a local id that happen to match) never collide. Free functions over a borrowed
// Keyring; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>

#include "crypto/keyring.h"

namespace pathaudit::crypto {

using Pseudonym = std::array<std::uint8_t, 32>;

// Each kind has its own domain prefix (contract: changing one breaks linkage with existing data).
enum class IdentifierKind {
  nhs_number,    // "pathaudit/v1/nhs\x1f"          + 10 digits
  local_id,      // "pathaudit/v1/local-id\x1f"     + agency code \x1f local id
  name_dob,      // "pathaudit/v1/name-dob\x1f"     + surname \x1f forename \x1f dob
  phonetic_dob,  // "pathaudit/v1/phonetic-dob\x1f" + surname code \x1f forename initial \x1f dob
  event_ref,     // "pathaudit/v1/event-ref\x1f"    + agency code \x1f event id
};

// The prefix bytes for a kind, exposed for documentation tests.
std::string_view domain_prefix(IdentifierKind kind);

// HMAC under the keyring's primary "pseudonym" key. The value must already be normalised (see
// ingest/normalise.h). Throws core::ValidationError for an empty value, because an empty
// identifier would link every record that lacks it, and core::NotFoundError if the keyring has no
// pseudonym key.
Pseudonym pseudonym(const Keyring& keyring, IdentifierKind kind, std::string_view normalised_value);

// Joins the parts of a compound value with the unit separator 0x1F. Throws core::ValidationError if
// a part is empty or contains 0x1F, so that two different part lists never give the same string.
std::string compound_value(std::initializer_list<std::string_view> parts);

// A short stable label for QA screens and exports ("C-" + 10 base32 characters, 50 bits), derived
// by SHA-256("pathaudit/display-key" || pseudonym). One-way: it does not reveal the pseudonym, so
// the pseudonym itself never has to leave the database. `characters` (10 to 20) lengthens it: the
// store uses a longer key for the rare child whose 10-character key is already taken, and the
// shorter key is always a prefix of the longer one.
std::string display_key(const Pseudonym& pseudonym, int characters = 10);

}  // namespace pathaudit::crypto
