// The pseudonyms of one event's identifiers, computed at the edge so raw identifiers never travel
// further than the import's memory (DESIGN.md section 4). Free functions over a borrowed Keyring;
// thread-safe.
#pragma once

#include <optional>

#include "crypto/keyring.h"
#include "crypto/pseudonym.h"
#include "ingest/event_row.h"

namespace pathaudit::ingest {

struct EventKeys {
  crypto::Pseudonym event_ref;                     // agency + event_id: the upsert key
  std::optional<crypto::Pseudonym> relates_to;     // agency + relates_to
  std::optional<crypto::Pseudonym> nhs;            // NHS number
  std::optional<crypto::Pseudonym> local;          // agency + local child id
  std::optional<crypto::Pseudonym> exact;          // surname + forename + dob
  std::optional<crypto::Pseudonym> probable;       // phonetic surname + forename initial + dob
  std::optional<crypto::Pseudonym> probable_swap;  // the same with dob day and month swapped
};

EventKeys event_keys(const crypto::Keyring& keyring, const EventRow& row);

}  // namespace pathaudit::ingest
