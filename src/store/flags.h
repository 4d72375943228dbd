// Stored flags (DESIGN.md section 5): the rules engine's findings, and the status an auditor gave
// each. A flag is identified by its rule and the hash of its evidence as it stands, so recomputing
// after an import keeps a confirmed or dismissed flag while its evidence is unchanged. Free
// functions over a Session inside a transaction. Not thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "crypto/bytes.h"
#include "store/database.h"

namespace pathaudit::store {

struct NewFlag {
  std::string rule_id;
  std::string ruleset_version;
  std::string severity;
  std::int64_t child_id = 0;
  int agency_id = 0;
  std::vector<std::int64_t> evidence;  // event ids, in the rule's order
  std::string evidence_hash;           // hex
  std::string detail;
};

struct FlagSync {
  std::int64_t inserted = 0;
  std::int64_t kept = 0;     // same rule and evidence: status kept, details refreshed
  std::int64_t removed = 0;  // no longer raised (the gap was filled or the evidence changed)
  std::int64_t removed_reviewed = 0;  // of those, ones an auditor had confirmed or dismissed
};

// Makes the stored flags exactly `flags` (a complete recomputation).
FlagSync sync_flags(Session& s, const std::vector<NewFlag>& flags, const std::string& at);

struct FlagFilter {
  std::string rule_id;  // empty: any
  std::string status;   // empty: any
  std::optional<std::int64_t> child_id;
};

struct FlagEvidence {
  std::int64_t event_id;
  std::string agency;
  crypto::Bytes event_ref_sealed;
};

struct StoredFlag {
  std::int64_t id = 0;
  std::string rule_id, ruleset_version, severity, agency, child_key, detail, status;
  std::int64_t child_id = 0;
  std::vector<FlagEvidence> evidence;
  std::optional<crypto::Bytes> status_reason_sealed;
  std::string computed_at;
};

// Flags in rule, child key, id order.
std::vector<StoredFlag> list_flags(Session& s, const FlagFilter& filter);
std::optional<StoredFlag> find_flag(Session& s, std::int64_t id);

// Count of flags per (rule, severity, status), no case content.
struct FlagCount {
  std::string rule_id, severity, status;
  std::int64_t count;
};
// audit_id 0: every flag; else the flags of the children in that audit's current sample.
std::vector<FlagCount> count_flags(Session& s, std::int64_t audit_id = 0);

void set_flag_status(Session& s, std::int64_t id, const std::string& status,
                     const crypto::Bytes& reason_sealed);

}  // namespace pathaudit::store
