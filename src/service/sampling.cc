#include "service/sampling.h"

#include <Poco/Data/Statement.h>
#include <Poco/Nullable.h>

#include <algorithm>
#include <set>
#include <tuple>
#include <unordered_map>

#include "core/errors.h"
#include "core/sampling.h"
#include "crypto/hash.h"
#include "service/audits.h"
#include "service/input_error.h"
#include "service/users.h"
#include "store/event_facts.h"
#include "store/sqlite_statement.h"

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace pathaudit::service {
namespace {

// Recorded in samples.method; bump the version if the draw (core/sampling.cc, core/prng.h) ever
// changes, so a recorded sample can still be re-drawn by the release that made it.
constexpr const char* kMethodVersion = "pathaudit-sample-v1";

const std::string& stratum_of(const PopulationMember& m, const std::string& strata) {
  static const std::string all = "all";
  if (strata == "agency")
    return m.agency;
  if (strata == "entry_point")
    return m.entry_point;
  if (strata == "age_band")
    return m.age_band;
  if (strata == "category")
    return m.category;
  return all;
}

std::optional<std::int64_t> current_sample_id(store::Session& s, std::int64_t audit_id) {
  std::int64_t id = 0;
  int found = 0;
  s << "SELECT id, 1 FROM samples WHERE audit_id = ? ORDER BY id DESC LIMIT 1", into(id),
      into(found), use(audit_id), now;
  if (!found)
    return std::nullopt;
  return id;
}

std::int64_t last_id(store::Session& s) {
  std::int64_t id = 0;
  s << "SELECT last_insert_rowid()", into(id), now;
  return id;
}

std::string audit_object(std::int64_t id) {
  return "audit:" + std::to_string(id);
}

}  // namespace

const std::vector<std::string>& strata_kinds() {
  static const std::vector<std::string> kinds{"agency", "entry_point", "age_band", "category"};
  return kinds;
}

SampleResult draw_audit_sample(Context& ctx, const Principal& who, const SampleOptions& options) {
  require_qa(who, "drawing a sample");
  const auto& kinds = strata_kinds();
  if (!options.strata.empty() &&
      std::find(kinds.begin(), kinds.end(), options.strata) == kinds.end()) {
    throw InputError("strata", "expects one of agency, entry_point, age_band, category");
  }
  if (options.size < 0)
    throw core::ValidationError("the sample size must be at least 1");
  if (options.include_flagged < 0)
    throw InputError("include_flagged", "expects a number from 0");

  return ctx.db().write([&](store::Session& s) {
    const AuditRecord audit = load_audit(s, options.audit_id);
    std::int64_t audit_id = audit.id;
    std::int64_t assigned = 0;
    s << "SELECT count(*) FROM assignments a JOIN sample_cases c ON c.id = a.sample_case_id "
         "JOIN samples p ON p.id = c.sample_id WHERE p.audit_id = ?",
        into(assigned), use(audit_id), now;
    if (assigned > 0) {
      throw core::ConflictError("audit " + std::to_string(audit.id) + "'s sample already has " +
                                std::to_string(assigned) +
                                " assignments; a new sample would orphan them. Create a new "
                                "audit to draw a different sample");
    }

    const std::vector<PopulationMember> population = audit_population(s, audit);
    const std::string strata = options.strata.empty() ? "none" : options.strata;
    std::vector<core::PopulationEntry> entries;
    entries.reserve(population.size());
    std::string listing;
    for (const auto& m : population) {  // sorted by child key
      const std::string& stratum = stratum_of(m, options.strata);
      entries.push_back({m.child_id, m.child_key, stratum, m.flagged});
      listing += m.child_key + "\t" + stratum + "\t" + (m.flagged ? "1" : "0") + "\n";
    }
    const auto selected =
        core::draw_sample(std::move(entries), {static_cast<std::size_t>(options.size), options.seed,
                                               static_cast<std::size_t>(options.include_flagged)});

    SampleResult result;
    result.population_size = static_cast<std::int64_t>(population.size());
    result.population_hash = crypto::sha256_hex(listing);
    result.seed = std::to_string(options.seed);
    result.method = std::string(kMethodVersion) + " strata=" + strata +
                    " include_flagged=" + std::to_string(options.include_flagged);
    result.replaced_sample_id = current_sample_id(s, audit_id);

    // A replaced sample's id is never given to another: the new id is above every id used so far
    // (replacement is the only delete, and it always inserts above the row it removes).
    std::int64_t sample_id = 0;
    s << "SELECT coalesce(max(id), 0) + 1 FROM samples", into(sample_id), now;
    s << "DELETE FROM sample_cases WHERE sample_id IN (SELECT id FROM samples WHERE audit_id = ?)",
        use(audit_id), now;
    s << "DELETE FROM samples WHERE audit_id = ?", use(audit_id), now;
    std::string seed = result.seed, method = result.method, hash = result.population_hash;
    std::string at = ctx.clock().now_utc();
    std::int64_t population_size = result.population_size, size = options.size;
    s << "INSERT INTO samples (id, audit_id, seed, method, population_hash, population_size, size, "
         "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        use(sample_id), use(audit_id), use(seed), use(method), use(hash), use(population_size),
        use(size), use(at), now;
    result.sample_id = sample_id;

    store::Statement insert(
        store::connection(s),
        "INSERT INTO sample_cases (sample_id, child_id, stratum) VALUES (?, ?, ?)");
    for (const auto& e : selected) {
      sqlite3_bind_int64(insert.get(), 1, result.sample_id);
      sqlite3_bind_int64(insert.get(), 2, e.child_id);
      store::bind_text(insert.get(), 3, e.stratum);
      insert.row();
      insert.reset();
      result.cases.push_back({e.key, e.stratum, e.flagged});
    }

    std::string outcome = "ok: sample " + std::to_string(result.sample_id) + ", population " +
                          std::to_string(result.population_size) + " (sha256 " +
                          result.population_hash + "), size " + std::to_string(options.size) +
                          ", seed " + result.seed + ", method " + result.method;
    if (result.replaced_sample_id)
      outcome += "; replaced sample " + std::to_string(*result.replaced_sample_id);
    audit_as(ctx, s, who, "sample.draw", audit_object(audit.id), outcome);
    return result;
  });
}

AssignResult assign_audit(Context& ctx, const Principal& who, const AssignOptions& options) {
  require_qa(who, "assigning an audit");
  return ctx.db().write([&](store::Session& s) {
    const AuditRecord audit = load_audit(s, options.audit_id);
    const auto sample = current_sample_id(s, audit.id);
    if (!sample) {
      throw core::ConflictError("audit " + std::to_string(audit.id) +
                                " has no sample yet; run `pathaudit sample --audit " +
                                std::to_string(audit.id) + " ...` first");
    }
    std::int64_t sample_id = *sample;

    // The QA lead owns every case's multi-agency discussion.
    const auto qa = find_user(s, options.qa_lead);
    if (!qa)
      throw core::NotFoundError("no user is called " + options.qa_lead +
                                "; see `pathaudit users list`");
    if (qa->role != "qa_lead" || qa->disabled) {
      throw core::ValidationError(
          "--qa-lead " + qa->username + " must be an active user with role " +
          "qa_lead (the account is " + (qa->disabled ? "disabled" : "role " + qa->role) + ")");
    }

    const core::AgencyDirectory agencies = store::load_agencies(s);
    // Auditors by agency id, in username order: the explicit ones where given, else every active
    // auditor of the agency.
    std::map<int, std::vector<std::pair<std::int64_t, std::string>>> pools;
    std::set<int> overridden;
    for (const auto& [code, usernames] : options.auditors) {
      const auto agency = agencies.id_of(code);
      if (!agency)
        throw core::ValidationError("--auditor " + code + "=...: " + code +
                                    " is not an agency of this partnership");
      overridden.insert(*agency);
      for (const auto& name : usernames) {
        const auto u = find_user(s, name);
        if (!u)
          throw core::NotFoundError("no user is called " + name + "; see `pathaudit users list`");
        if (u->role != "auditor" || u->disabled || u->agency != code) {
          throw core::ValidationError(
              "--auditor " + code + "=" + name + ": the user must be an active auditor of " + code +
              " (the account is " +
              (u->disabled ? std::string("disabled")
                           : "role " + u->role +
                                 (u->agency.empty() ? ", no agency" : ", agency " + u->agency)) +
              ")");
        }
        auto& pool = pools[*agency];
        if (std::none_of(pool.begin(), pool.end(), [&](const auto& p) { return p.first == u->id; }))
          pool.emplace_back(u->id, u->username);
      }
    }
    {
      store::Statement q(store::connection(s),
                         "SELECT id, username, agency_id FROM users WHERE role = 'auditor' AND "
                         "disabled = 0 AND agency_id IS NOT NULL ORDER BY username");
      while (q.row()) {
        const int agency = sqlite3_column_int(q.get(), 2);
        if (!overridden.count(agency))
          pools[agency].emplace_back(sqlite3_column_int64(q.get(), 0),
                                     store::column_text(q.get(), 1));
      }
    }
    for (auto& [agency, pool] : pools) {
      std::sort(pool.begin(), pool.end(),
                [](const auto& a, const auto& b) { return a.second < b.second; });
    }

    // Sampled cases in child-key order, and the agencies involved with each in the period.
    std::vector<std::int64_t> cases;
    {
      store::Statement q(store::connection(s),
                         "SELECT c.id FROM sample_cases c JOIN children ch ON ch.id = c.child_id "
                         "WHERE c.sample_id = ? ORDER BY ch.display_key");
      sqlite3_bind_int64(q.get(), 1, sample_id);
      while (q.row())
        cases.push_back(sqlite3_column_int64(q.get(), 0));
    }
    std::unordered_map<std::int64_t, std::vector<int>> involved;
    {
      store::Statement q(store::connection(s),
                         "SELECT c.id, e.agency_id FROM sample_cases c "
                         "JOIN event_links l ON l.child_id = c.child_id "
                         "JOIN events e ON e.id = l.event_id "
                         "WHERE c.sample_id = ? AND e.event_date BETWEEN ? AND ? "
                         "GROUP BY c.id, e.agency_id");
      sqlite3_bind_int64(q.get(), 1, sample_id);
      store::bind_text(q.get(), 2, audit.period_start.iso());
      store::bind_text(q.get(), 3, audit.period_end.iso());
      while (q.row())
        involved[sqlite3_column_int64(q.get(), 0)].push_back(sqlite3_column_int(q.get(), 1));
    }
    for (auto& [c, list] : involved) {
      std::sort(list.begin(), list.end(),
                [&](int a, int b) { return agencies.code(a) < agencies.code(b); });
    }

    // Blind dual review gives every return a second slot, for a different auditor.
    const int slots = audit.dual_review ? 2 : 1;

    // What exists already: (case, agency, slot) -> (assignment id, user id or 0); discussions by
    // case.
    using ReturnKey = std::tuple<std::int64_t, int, int>;
    std::map<ReturnKey, std::pair<std::int64_t, std::int64_t>> returns;
    std::set<std::int64_t> discussions;
    std::map<int, std::size_t> turn;  // round-robin position per agency
    {
      store::Statement q(store::connection(s),
                         "SELECT a.id, a.sample_case_id, a.kind, coalesce(a.agency_id, 0), "
                         "coalesce(a.user_id, 0), a.slot FROM assignments a "
                         "JOIN sample_cases c ON c.id = a.sample_case_id WHERE c.sample_id = ?");
      sqlite3_bind_int64(q.get(), 1, sample_id);
      while (q.row()) {
        const std::int64_t id = sqlite3_column_int64(q.get(), 0);
        const std::int64_t c = sqlite3_column_int64(q.get(), 1);
        const std::string kind = store::column_text(q.get(), 2);
        const int agency = sqlite3_column_int(q.get(), 3);
        const std::int64_t user = sqlite3_column_int64(q.get(), 4);
        const int slot = sqlite3_column_int(q.get(), 5);
        if (kind == "discussion") {
          discussions.insert(c);
        } else {
          returns[{c, agency, slot}] = {id, user};
          if (user != 0)
            ++turn[agency];  // continue the rotation where earlier runs left it
        }
      }
    }

    const std::string at = ctx.clock().now_utc();
    store::Statement insert_assignment(
        store::connection(s),
        "INSERT INTO assignments (sample_case_id, kind, agency_id, user_id, created_at, slot) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    store::Statement insert_review(
        store::connection(s),
        "INSERT INTO reviews (assignment_id, state, updated_at) VALUES (?, 'assigned', ?)");
    store::Statement insert_discussion(
        store::connection(s),
        "INSERT INTO discussions (assignment_id, state, updated_at) VALUES (?, 'open', ?)");
    store::Statement fill(store::connection(s),
                          "UPDATE assignments SET user_id = ? WHERE id = ? AND user_id IS NULL");
    store::Statement touch_review(store::connection(s),
                                  "UPDATE reviews SET updated_at = ? WHERE assignment_id = ?");
    auto insert = [&](std::int64_t c, const char* kind, int agency, std::int64_t user, int slot) {
      sqlite3_stmt* st = insert_assignment.get();
      sqlite3_bind_int64(st, 1, c);
      sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
      store::bind_id(st, 3, agency);
      store::bind_id(st, 4, user);
      store::bind_text(st, 5, at);
      sqlite3_bind_int(st, 6, slot);
      insert_assignment.row();
      insert_assignment.reset();
      return last_id(s);
    };
    auto add_row = [&](store::Statement& st, std::int64_t assignment) {
      sqlite3_bind_int64(st.get(), 1, assignment);
      store::bind_text(st.get(), 2, at);
      st.row();
      st.reset();
    };
    // The next auditor of the agency in the rotation who is not `other` (the case's other
    // reviewer in a dual review); 0 when there is none.
    auto next_auditor = [&](int agency, std::int64_t other) -> std::int64_t {
      const auto pool = pools.find(agency);
      if (pool == pools.end() || pool->second.empty())
        return 0;
      for (std::size_t tries = 0; tries < pool->second.size(); ++tries) {
        const std::int64_t user = pool->second[turn[agency]++ % pool->second.size()].first;
        if (user != other)
          return user;
      }
      return 0;
    };

    std::map<int, std::int64_t> created;
    std::int64_t discussions_created = 0;
    for (const std::int64_t c : cases) {
      for (const int agency : involved[c]) {
        for (int slot = 1; slot <= slots; ++slot) {
          const auto other_slot = returns.find({c, agency, 3 - slot});
          const std::int64_t other = other_slot == returns.end() ? 0 : other_slot->second.second;
          auto existing = returns.find({c, agency, slot});
          if (existing != returns.end()) {
            if (existing->second.second != 0)
              continue;  // assigned work is never moved by assign
            const std::int64_t user = next_auditor(agency, other);
            if (user == 0)
              continue;
            sqlite3_bind_int64(fill.get(), 1, user);
            sqlite3_bind_int64(fill.get(), 2, existing->second.first);
            fill.row();
            fill.reset();
            store::bind_text(touch_review.get(), 1, at);
            sqlite3_bind_int64(touch_review.get(), 2, existing->second.first);
            touch_review.row();
            touch_review.reset();
            existing->second.second = user;
            ++created[agency];
            continue;
          }
          const std::int64_t user = next_auditor(agency, other);
          const std::int64_t id = insert(c, "return", agency, user, slot);
          add_row(insert_review, id);
          returns[{c, agency, slot}] = {id, user};
          ++created[agency];
        }
      }
      if (!discussions.count(c)) {
        add_row(insert_discussion, insert(c, "discussion", 0, qa->id, 1));
        discussions.insert(c);
        ++discussions_created;
      }
    }

    // The summary, from the stored state after this run.
    AssignResult result;
    std::map<std::string, AssignmentSummaryRow> by_agency;
    std::map<std::string, std::map<std::string, int>> counts;
    {
      store::Statement q(store::connection(s),
                         "SELECT a.kind, coalesce(g.code, ''), coalesce(u.username, ''), "
                         "coalesce(u.disabled, 0) "
                         "FROM assignments a JOIN sample_cases c ON c.id = a.sample_case_id "
                         "LEFT JOIN agencies g ON g.id = a.agency_id "
                         "LEFT JOIN users u ON u.id = a.user_id WHERE c.sample_id = ?");
      sqlite3_bind_int64(q.get(), 1, sample_id);
      while (q.row()) {
        const std::string kind = store::column_text(q.get(), 0);
        const std::string code = store::column_text(q.get(), 1);
        const std::string user = store::column_text(q.get(), 2);
        const bool disabled = sqlite3_column_int(q.get(), 3) != 0;
        const std::string key = kind == "return" ? code : std::string("\x7f");  // discussion last
        auto& row = by_agency[key];
        row.kind = kind;
        row.agency = kind == "return" ? code : "";
        ++row.cases;
        if (user.empty()) {
          ++row.unassigned;
        } else {
          ++row.assigned;
          ++counts[key][user];
          row.held_by_disabled += disabled ? 1 : 0;
        }
      }
    }
    for (auto& [key, row] : by_agency) {
      if (row.kind == "return") {
        const auto id = agencies.id_of(row.agency);
        row.created = id && created.count(*id) ? created[*id] : 0;
        if (row.unassigned > 0)
          result.agencies_without.push_back(row.agency);
      } else {
        row.created = discussions_created;
      }
      for (const auto& [user, n] : counts[key])
        row.assignees += (row.assignees.empty() ? "" : "; ") + user + " " + std::to_string(n);
      result.rows.push_back(row);
    }

    std::int64_t returns_created = 0, unassigned = 0;
    for (const auto& [agency, n] : created)
      returns_created += n;
    for (const auto& row : result.rows)
      unassigned += row.kind == "return" ? row.unassigned : 0;
    audit_as(ctx, s, who, "assign", audit_object(audit.id),
             "ok: sample " + std::to_string(sample_id) + ", " + std::to_string(returns_created) +
                 " returns and " + std::to_string(discussions_created) +
                 " discussions assigned or created; " + std::to_string(unassigned) +
                 " returns without an auditor");
    return result;
  });
}

}  // namespace pathaudit::service
