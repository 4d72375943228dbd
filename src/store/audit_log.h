// The append-only, hash-chained audit log (DESIGN.md section 7). Every write of case data and every
// read of case content appends an entry inside the same transaction as the act it records, so an
// act and its entry commit or vanish together. Entries hold who, when, what and an object reference
// (table and row id, audit id): never case content, identifiers or keys.
//
// Free functions over a Session; callers provide the transaction (Database::write for append).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/database.h"

namespace pathaudit::store {

struct AuditEvent {
  std::string actor;    // "cli:<os user>" or "user:<username>"
  std::string action;   // dotted verb: "init", "import.commit", "keys.rotate-master", ...
  std::string object;   // "audit:12", "data_key:3", "" when none
  std::string outcome;  // "ok", "refused: <reason without case content>", ...
};

// Appends one entry; returns its sequence number. Must run inside a write transaction.
std::int64_t append_audit(Session& s, const AuditEvent& event, const std::string& at);

struct AuditLogVerification {
  bool ok = true;
  std::int64_t entries = 0;
  std::optional<std::int64_t> first_bad_seq;  // set when !ok
  std::string problem;                        // why that entry fails, when !ok
  std::string head_hash;                      // hash of the last entry; record it elsewhere to
                                              // detect a truncated tail later
};

AuditLogVerification verify_audit_log(Session& s);

}  // namespace pathaudit::store
