#include "ingest/event_keys.h"

#include "ingest/normalise.h"

namespace pathaudit::ingest {

using crypto::compound_value;
using crypto::IdentifierKind;
using crypto::pseudonym;

EventKeys event_keys(const crypto::Keyring& k, const EventRow& row) {
  EventKeys keys;
  keys.event_ref =
      pseudonym(k, IdentifierKind::event_ref, compound_value({row.agency, row.event_id}));
  if (!row.relates_to.empty()) {
    keys.relates_to =
        pseudonym(k, IdentifierKind::event_ref, compound_value({row.agency, row.relates_to}));
  }
  if (row.nhs_number)
    keys.nhs = pseudonym(k, IdentifierKind::nhs_number, *row.nhs_number);
  if (!row.local_child_id.empty()) {
    keys.local =
        pseudonym(k, IdentifierKind::local_id, compound_value({row.agency, row.local_child_id}));
  }
  if (!row.surname.empty() && !row.forename.empty() && row.dob) {
    const std::string dob = row.dob->iso();
    keys.exact =
        pseudonym(k, IdentifierKind::name_dob, compound_value({row.surname, row.forename, dob}));
    const std::string code = phonetic_code(row.surname);
    // The first character, whole: a UTF-8 lead byte and its continuation bytes.
    std::size_t len = 1;
    while (len < row.forename.size() &&
           (static_cast<unsigned char>(row.forename[len]) & 0xC0) == 0x80) {
      ++len;
    }
    const std::string initial = row.forename.substr(0, len);
    if (!code.empty()) {
      keys.probable =
          pseudonym(k, IdentifierKind::phonetic_dob, compound_value({code, initial, dob}));
      // A date of birth recorded US-style (day and month swapped) is a common data-entry slip.
      const int day = row.dob->day(), month = row.dob->month();
      if (day <= 12 && day != month) {
        const std::string swapped = core::Date::from_ymd(row.dob->year(), day, month).iso();
        keys.probable_swap =
            pseudonym(k, IdentifierKind::phonetic_dob, compound_value({code, initial, swapped}));
      }
    }
  }
  return keys;
}

}  // namespace pathaudit::ingest
