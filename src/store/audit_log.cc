#include "store/audit_log.h"

#include <Poco/Data/Statement.h>

#include "crypto/hash_chain.h"
#include "store/audit_log_read.h"

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace pathaudit::store {

std::int64_t append_audit(Session& s, const AuditEvent& e, const std::string& at) {
  // Always one row, so the scalar extractions never meet an empty result.
  std::int64_t last_seq = 0;
  std::string prev;
  s << "SELECT coalesce(max(seq), 0), "
       "coalesce((SELECT hash FROM audit_log ORDER BY seq DESC LIMIT 1), '') FROM audit_log",
      into(last_seq), into(prev), now;
  if (last_seq == 0)
    prev = crypto::chain_genesis();
  std::int64_t seq = last_seq + 1;
  const std::string seq_text = std::to_string(seq);
  std::string hash =
      crypto::chain_hash(prev, {seq_text, at, e.actor, e.action, e.object, e.outcome});
  std::string at_copy = at, actor = e.actor, action = e.action, object = e.object,
              outcome = e.outcome;
  s << "INSERT INTO audit_log (seq, at, actor, action, object, outcome, prev_hash, hash) "
       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      use(seq), use(at_copy), use(actor), use(action), use(object), use(outcome), use(prev),
      use(hash), now;
  return seq;
}

AuditLogVerification verify_audit_log(Session& s) {
  AuditLogVerification result;
  result.head_hash = crypto::chain_genesis();
  std::int64_t expected_seq = 1;
  std::string prev = crypto::chain_genesis();

  // Streams the log in pages so verifying a long log needs constant memory.
  Poco::Data::Statement q(s);
  std::int64_t seq = 0;
  std::string at, actor, action, object, outcome, stored_prev, hash;
  q << "SELECT seq, at, actor, action, object, outcome, prev_hash, hash FROM audit_log ORDER BY "
       "seq",
      into(seq), into(at), into(actor), into(action), into(object), into(outcome),
      into(stored_prev), into(hash), Poco::Data::Keywords::range(0, 1);
  auto fail = [&](std::int64_t at_seq, std::string why) {
    result.ok = false;
    result.first_bad_seq = at_seq;
    result.problem = std::move(why);
  };
  while (!q.done()) {
    if (q.execute() == 0)
      break;
    ++result.entries;
    if (seq != expected_seq) {
      fail(expected_seq, "entry " + std::to_string(expected_seq) + " is missing (next is " +
                             std::to_string(seq) + ")");
      return result;
    }
    if (stored_prev != prev) {
      fail(seq, "entry " + std::to_string(seq) + " does not follow the previous entry's hash");
      return result;
    }
    const std::string seq_text = std::to_string(seq);
    if (crypto::chain_hash(prev, {seq_text, at, actor, action, object, outcome}) != hash) {
      fail(seq, "entry " + std::to_string(seq) + " was changed after it was written");
      return result;
    }
    prev = hash;
    result.head_hash = hash;
    ++expected_seq;
  }
  return result;
}

namespace {

// The WHERE clause for a filter (fixed text; the values are bound), and the values in order.
std::string where_clause(const AuditLogFilter& f, std::vector<std::string>& values) {
  std::string where;
  auto add = [&](const std::string& value, const char* condition) {
    if (value.empty())
      return;
    where += where.empty() ? " WHERE " : " AND ";
    where += condition;
    values.push_back(value);
  };
  add(f.action, "action = ?");
  add(f.actor, "actor = ?");
  add(f.since, "at >= ?");
  add(f.until, "at <= ?");
  return where;
}

}  // namespace

std::vector<AuditLogEntry> list_audit_log(Session& s, const AuditLogFilter& filter,
                                          std::int64_t limit, std::int64_t offset) {
  std::vector<std::string> values;
  const std::string where = where_clause(filter, values);
  Poco::Data::Statement q(s);
  q << "SELECT seq, at, actor, action, object, outcome FROM audit_log" + where +
           " ORDER BY seq DESC LIMIT ? OFFSET ?";
  for (auto& v : values)
    q, use(v);
  q, use(limit), use(offset);
  AuditLogEntry e;
  q, into(e.seq), into(e.at), into(e.actor), into(e.action), into(e.object), into(e.outcome),
      Poco::Data::Keywords::range(0, 1);
  std::vector<AuditLogEntry> out;
  while (!q.done()) {
    if (q.execute() == 0)
      break;
    out.push_back(e);
  }
  return out;
}

std::int64_t count_audit_log(Session& s, const AuditLogFilter& filter) {
  std::vector<std::string> values;
  const std::string where = where_clause(filter, values);
  Poco::Data::Statement q(s);
  std::int64_t n = 0;
  q << "SELECT count(*) FROM audit_log" + where;
  for (auto& v : values)
    q, use(v);
  q, into(n);
  q.execute();
  return n;
}

}  // namespace pathaudit::store
