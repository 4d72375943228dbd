#include "store/migrations.h"

#include <Poco/Data/Statement.h>

#include <string>
#include <vector>

#include "core/clock.h"
#include "core/errors.h"

using Poco::Data::Keywords::into;
using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace pathaudit::store {
namespace {

struct Migration {
  int version;
  const char* name;
  std::vector<const char*> statements;
};

// Version 1: the entities of DESIGN.md section 1. Anything that could identify a child or hold case
// content is a sealed BLOB (crypto/aead.h format) or a keyed hash; there is no column for a raw
// identifier anywhere.
const Migration kInitial{
    1,
    "initial schema",
    {
        R"(CREATE TABLE partnership (
             id INTEGER PRIMARY KEY CHECK (id = 1),
             name TEXT NOT NULL,
             created_at TEXT NOT NULL))",
        R"(CREATE TABLE agencies (
             id INTEGER PRIMARY KEY,
             code TEXT NOT NULL UNIQUE,
             name TEXT NOT NULL,
             kind TEXT NOT NULL CHECK (kind IN ('csc','police','health','sarc','camhs','education',
                                                'vcs','early_help','probation')),
             active INTEGER NOT NULL DEFAULT 1))",
        R"(CREATE TABLE users (
             id INTEGER PRIMARY KEY,
             username TEXT NOT NULL UNIQUE,
             display_name TEXT NOT NULL,
             role TEXT NOT NULL CHECK (role IN ('admin','qa_lead','auditor','board')),
             agency_id INTEGER REFERENCES agencies(id),
             password_hash TEXT NOT NULL,
             disabled INTEGER NOT NULL DEFAULT 0,
             failed_logins INTEGER NOT NULL DEFAULT 0,
             locked_until TEXT,
             created_at TEXT NOT NULL))",
        R"(CREATE TABLE sessions (
             id INTEGER PRIMARY KEY,
             token_hash BLOB NOT NULL UNIQUE,
             user_id INTEGER NOT NULL REFERENCES users(id),
             csrf_token_hash BLOB NOT NULL,
             created_at TEXT NOT NULL,
             last_seen_at TEXT NOT NULL,
             expires_at TEXT NOT NULL))",
        R"(CREATE TABLE data_keys (
             id INTEGER PRIMARY KEY,
             purpose TEXT NOT NULL,
             wrapped BLOB,
             is_primary INTEGER NOT NULL DEFAULT 0,
             state TEXT NOT NULL CHECK (state IN ('active','retired','shredded')),
             created_at TEXT NOT NULL,
             retired_at TEXT,
             shredded_at TEXT,
             CHECK (state = 'shredded' OR wrapped IS NOT NULL)))",
        R"(CREATE UNIQUE INDEX data_keys_one_primary ON data_keys(purpose) WHERE is_primary = 1)",
        R"(CREATE TABLE templates (
             id INTEGER PRIMARY KEY,
             template_key TEXT NOT NULL,
             version INTEGER NOT NULL,
             title TEXT NOT NULL,
             body TEXT NOT NULL,
             sha256 TEXT NOT NULL,
             imported_at TEXT NOT NULL,
             UNIQUE (template_key, version)))",
        R"(CREATE TABLE imports (
             id INTEGER PRIMARY KEY,
             actor TEXT NOT NULL,
             started_at TEXT NOT NULL,
             finished_at TEXT,
             files TEXT NOT NULL,
             rows_inserted INTEGER NOT NULL DEFAULT 0,
             rows_updated INTEGER NOT NULL DEFAULT 0))",
        R"(CREATE TABLE children (
             id INTEGER PRIMARY KEY,
             pseudonym BLOB NOT NULL UNIQUE,
             display_key TEXT NOT NULL UNIQUE,
             created_at TEXT NOT NULL))",
        // The *_key columns are the identifier pseudonyms (keyed hashes, crypto/pseudonym.h) that
        // later imports link against; raw identifiers are never stored.
        R"(CREATE TABLE events (
             id INTEGER PRIMARY KEY,
             agency_id INTEGER NOT NULL REFERENCES agencies(id),
             event_ref_hmac BLOB NOT NULL,
             event_ref_sealed BLOB NOT NULL,
             event_type TEXT NOT NULL,
             event_date TEXT NOT NULL,
             sex TEXT,
             age_years INTEGER,
             entry_point TEXT,
             to_agency_id INTEGER REFERENCES agencies(id),
             to_service TEXT,
             participants TEXT,
             outcome TEXT,
             category TEXT,
             relates_to_hmac BLOB,
             notes_sealed BLOB,
             nhs_key BLOB,
             local_key BLOB,
             exact_key BLOB,
             probable_key BLOB,
             probable_swap_key BLOB,
             import_id INTEGER REFERENCES imports(id),
             UNIQUE (agency_id, event_ref_hmac)))",
        // Which child each event belongs to and how firmly (core/linkage.h). Written by linkage in
        // the same transaction as the import, so every event has its row after a commit. Kept
        // apart from the wide events rows so re-linking a million events writes narrow rows.
        R"(CREATE TABLE event_links (
             event_id INTEGER PRIMARY KEY REFERENCES events(id),
             child_id INTEGER NOT NULL REFERENCES children(id),
             tier TEXT NOT NULL CHECK (tier IN ('nhs','local','exact','probable','none'))))",
        R"(CREATE INDEX event_links_child ON event_links(child_id))",
        R"(CREATE TABLE audits (
             id INTEGER PRIMARY KEY,
             title TEXT NOT NULL,
             template_id INTEGER NOT NULL REFERENCES templates(id),
             period_start TEXT NOT NULL,
             period_end TEXT NOT NULL,
             scope TEXT NOT NULL DEFAULT '{}',
             status TEXT NOT NULL DEFAULT 'open',
             created_by TEXT NOT NULL,
             created_at TEXT NOT NULL,
             retention_until TEXT))",
        R"(CREATE TABLE samples (
             id INTEGER PRIMARY KEY,
             audit_id INTEGER NOT NULL REFERENCES audits(id),
             seed TEXT NOT NULL,
             method TEXT NOT NULL,
             population_hash TEXT NOT NULL,
             population_size INTEGER NOT NULL,
             size INTEGER NOT NULL,
             created_at TEXT NOT NULL))",
        R"(CREATE TABLE sample_cases (
             id INTEGER PRIMARY KEY,
             sample_id INTEGER NOT NULL REFERENCES samples(id),
             child_id INTEGER NOT NULL REFERENCES children(id),
             stratum TEXT,
             UNIQUE (sample_id, child_id)))",
        R"(CREATE TABLE assignments (
             id INTEGER PRIMARY KEY,
             sample_case_id INTEGER NOT NULL REFERENCES sample_cases(id),
             kind TEXT NOT NULL CHECK (kind IN ('return','discussion')),
             agency_id INTEGER REFERENCES agencies(id),
             user_id INTEGER REFERENCES users(id),
             created_at TEXT NOT NULL))",
        R"(CREATE TABLE reviews (
             id INTEGER PRIMARY KEY,
             assignment_id INTEGER NOT NULL UNIQUE REFERENCES assignments(id),
             state TEXT NOT NULL,
             updated_at TEXT NOT NULL,
             submitted_at TEXT,
             locked_at TEXT))",
        R"(CREATE TABLE answers (
             id INTEGER PRIMARY KEY,
             review_id INTEGER NOT NULL REFERENCES reviews(id),
             question_id TEXT NOT NULL,
             value_sealed BLOB,
             auditor_grade TEXT,
             moderated_grade TEXT,
             moderation_rationale_sealed BLOB,
             qa_comment_sealed BLOB,
             updated_at TEXT NOT NULL,
             UNIQUE (review_id, question_id)))",
        R"(CREATE TABLE flags (
             id INTEGER PRIMARY KEY,
             rule_id TEXT NOT NULL,
             ruleset_version TEXT NOT NULL,
             severity TEXT NOT NULL,
             child_id INTEGER NOT NULL REFERENCES children(id),
             agency_id INTEGER REFERENCES agencies(id),
             evidence TEXT NOT NULL,
             evidence_hash TEXT NOT NULL,
             detail TEXT NOT NULL,
             status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','confirmed','dismissed')),
             status_reason_sealed BLOB,
             computed_at TEXT NOT NULL,
             UNIQUE (rule_id, evidence_hash)))",
        R"(CREATE TABLE actions (
             id INTEGER PRIMARY KEY,
             audit_id INTEGER NOT NULL REFERENCES audits(id),
             description_sealed BLOB NOT NULL,
             owner_agency_id INTEGER REFERENCES agencies(id),
             due TEXT,
             status TEXT NOT NULL DEFAULT 'open',
             created_at TEXT NOT NULL,
             updated_at TEXT NOT NULL))",
        // Append-only and hash-chained (store/audit_log.h). The triggers stop accidental edits
        // through the application; the chain detects deliberate ones made around it.
        R"(CREATE TABLE audit_log (
             seq INTEGER PRIMARY KEY,
             at TEXT NOT NULL,
             actor TEXT NOT NULL,
             action TEXT NOT NULL,
             object TEXT NOT NULL,
             outcome TEXT NOT NULL,
             prev_hash TEXT NOT NULL,
             hash TEXT NOT NULL))",
        R"(CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
             BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END)",
        R"(CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
             BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END)",
    }};

// Version 2: the review workflow (core/review.h). Blind dual review gives a return a second slot;
// a section an auditor marks not applicable, grades and tags stay plain so collation counts them
// without opening case content; discussion learning and live concerns are sealed.
const Migration kReviewWorkflow{
    2,
    "review workflow",
    {
        R"(ALTER TABLE audits ADD COLUMN dual_review INTEGER NOT NULL DEFAULT 0)",
        R"(ALTER TABLE assignments ADD COLUMN slot INTEGER NOT NULL DEFAULT 1
             CHECK (slot IN (1, 2)))",
        R"(CREATE INDEX assignments_case ON assignments(sample_case_id))",
        R"(ALTER TABLE reviews ADD COLUMN not_applicable TEXT)",
        R"(ALTER TABLE reviews ADD COLUMN times_returned INTEGER NOT NULL DEFAULT 0)",
        R"(ALTER TABLE reviews ADD COLUMN accepted_at TEXT)",
        R"(ALTER TABLE answers ADD COLUMN tags TEXT)",
        R"(ALTER TABLE answers ADD COLUMN moderated_by TEXT)",
        R"(CREATE TABLE discussions (
             id INTEGER PRIMARY KEY,
             assignment_id INTEGER NOT NULL UNIQUE REFERENCES assignments(id),
             state TEXT NOT NULL CHECK (state IN ('open','discussed','moderated','locked')),
             held_on TEXT,
             attendees TEXT,
             learning_sealed BLOB,
             learning_tags TEXT,
             updated_at TEXT NOT NULL,
             discussed_at TEXT,
             moderated_at TEXT,
             locked_at TEXT))",
        R"(CREATE TABLE discussion_grades (
             discussion_id INTEGER NOT NULL REFERENCES discussions(id),
             stage TEXT NOT NULL,
             grade TEXT NOT NULL,
             PRIMARY KEY (discussion_id, stage)))",
        R"(ALTER TABLE actions ADD COLUMN sample_case_id INTEGER REFERENCES sample_cases(id))",
        R"(ALTER TABLE actions ADD COLUMN created_by TEXT)",
        R"(CREATE TABLE live_concerns (
             id INTEGER PRIMARY KEY,
             review_id INTEGER NOT NULL REFERENCES reviews(id),
             raised_by TEXT NOT NULL,
             raised_at TEXT NOT NULL,
             description_sealed BLOB,
             status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open','acknowledged')),
             acknowledged_by TEXT,
             acknowledged_at TEXT))",
        // One row per QA lead per live concern: the escalation each of them must see at once.
        R"(CREATE TABLE notifications (
             id INTEGER PRIMARY KEY,
             user_id INTEGER NOT NULL REFERENCES users(id),
             kind TEXT NOT NULL,
             object TEXT NOT NULL,
             created_at TEXT NOT NULL,
             read_at TEXT))",
        // Reviews that existed before discussions did get theirs; so does every later case.
        R"(INSERT INTO discussions (assignment_id, state, updated_at)
             SELECT id, 'open', created_at FROM assignments WHERE kind = 'discussion')",
    }};

// Version 3: exports (docs/exports.md). Learning reaches a board workbook only when a QA lead has
// marked it board-safe. Each export's manifest is a row (its reason sealed) that the audit log
// entry points at; the file waits in the data directory until it is delivered or expires.
const Migration kExports{
    3,
    "exports",
    {
        R"(ALTER TABLE discussions ADD COLUMN learning_board_safe INTEGER NOT NULL DEFAULT 0)",
        R"(CREATE TABLE exports (
             id INTEGER PRIMARY KEY,
             audit_id INTEGER NOT NULL REFERENCES audits(id),
             kind TEXT NOT NULL CHECK (kind IN ('board','detail','csv')),
             profile TEXT NOT NULL,
             actor TEXT NOT NULL,
             role TEXT NOT NULL,
             reason_sealed BLOB,
             created_at TEXT NOT NULL,
             rows INTEGER NOT NULL DEFAULT 0,
             sha256 TEXT,
             file TEXT,
             expires_at TEXT,
             delivered_at TEXT,
             removed_at TEXT))",
    }};

// Version 4: retention (docs/admin-guide.md, "Backup, restore and retention"). audits already
// has retention_until (version 1); this records when `retention apply` removed an audit's case
// content, so it is done once, the audit's screens can say why its text is gone, and the
// aggregate figures (grades, states, tags), which stay, are known to be all that is left.
const Migration kRetention{4,
                           "retention",
                           {
                               R"(ALTER TABLE audits ADD COLUMN content_removed_at TEXT)",
                           }};

// Version 5: HTTP sessions (src/service/sessions.h). The sessions table exists since version 1;
// the service looks a session up by token hash on every request and counts and sweeps them by
// expiry, and ends an account's sessions when it is disabled or its password reset.
const Migration kSessions{5,
                          "http sessions",
                          {
                              R"(CREATE INDEX sessions_user ON sessions(user_id))",
                              R"(CREATE INDEX sessions_expiry ON sessions(expires_at))",
                              R"(CREATE INDEX sessions_last_seen ON sessions(last_seen_at))",
                          }};

// Version 6: the session epoch (store/sessions.h, session_epoch). The HTTP service keeps the
// sessions it resolved in memory for a moment (service/session_cache.h); it may use one only while
// this counter is unchanged, and these triggers raise it whenever anything a resolved session
// depends on changes, whichever process changes it (the CLI's `users disable` as much as the
// service's own sign-out). A session's last use (last_seen_at) is not among them: the service
// itself keeps it, and checks idle expiry on every request.
const Migration kSessionEpoch{
    6,
    "session epoch",
    {
        R"(CREATE TABLE session_epoch (
             id INTEGER PRIMARY KEY CHECK (id = 1),
             value INTEGER NOT NULL))",
        R"(INSERT INTO session_epoch (id, value) VALUES (1, 0))",
        R"(CREATE TRIGGER session_epoch_user_changed
             AFTER UPDATE OF username, role, agency_id, password_hash, disabled ON users
             BEGIN UPDATE session_epoch SET value = value + 1; END)",
        R"(CREATE TRIGGER session_epoch_user_deleted AFTER DELETE ON users
             BEGIN UPDATE session_epoch SET value = value + 1; END)",
        R"(CREATE TRIGGER session_epoch_session_changed
             AFTER UPDATE OF token_hash, user_id, csrf_token_hash, expires_at ON sessions
             BEGIN UPDATE session_epoch SET value = value + 1; END)",
        R"(CREATE TRIGGER session_epoch_session_deleted AFTER DELETE ON sessions
             BEGIN UPDATE session_epoch SET value = value + 1; END)",
        R"(CREATE TRIGGER session_epoch_agency_changed AFTER UPDATE OF id, code ON agencies
             BEGIN UPDATE session_epoch SET value = value + 1; END)",
        R"(CREATE TRIGGER session_epoch_agency_deleted AFTER DELETE ON agencies
             BEGIN UPDATE session_epoch SET value = value + 1; END)",
    }};

// Version 7: the same rule on event_links.tier, written as ORs. SQLite 3.40 took about 2 us a
// row to check the `tier IN (...)` list, 0.05 us for the ORs: 2 s of a first import's million
// links (docs/benchmarks.md, "Import"). SQLite cannot alter a CHECK, so the table is rebuilt; the
// rows, the foreign keys and the index are as before.
const Migration kLinkTierCheck{7,
                               "event links tier check",
                               {
                                   R"(CREATE TABLE event_links_v7 (
             event_id INTEGER PRIMARY KEY REFERENCES events(id),
             child_id INTEGER NOT NULL REFERENCES children(id),
             tier TEXT NOT NULL CHECK (tier = 'nhs' OR tier = 'local' OR tier = 'exact' OR
                                       tier = 'probable' OR tier = 'none')))",
                                   R"(INSERT INTO event_links_v7 (event_id, child_id, tier)
             SELECT event_id, child_id, tier FROM event_links ORDER BY event_id)",
                                   R"(DROP TABLE event_links)",
                                   R"(ALTER TABLE event_links_v7 RENAME TO event_links)",
                                   R"(CREATE INDEX event_links_child ON event_links(child_id))",
                               }};

const std::vector<Migration>& migrations() {
  static const std::vector<Migration> all{kInitial,  kReviewWorkflow, kExports,      kRetention,
                                          kSessions, kSessionEpoch,   kLinkTierCheck};
  return all;
}

}  // namespace

int latest_schema_version() {
  return migrations().back().version;
}

int current_schema_version(Session& s) {
  int tables = 0;
  s << "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
      into(tables), now;
  if (tables == 0)
    return 0;
  int version = 0;
  s << "SELECT coalesce(max(version), 0) FROM schema_migrations", into(version), now;
  return version;
}

void apply_migrations(Session& s) {
  s << R"(CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            applied_at TEXT NOT NULL))",
      now;
  const int current = current_schema_version(s);
  if (current > latest_schema_version()) {
    throw core::ConflictError("the database schema is version " + std::to_string(current) +
                              ", newer than this pathaudit understands (up to " +
                              std::to_string(latest_schema_version()) +
                              "); use the pathaudit release that wrote it, or a later one");
  }
  const std::string at = core::SystemClock::instance().now_utc();
  for (const Migration& m : migrations()) {
    if (m.version <= current)
      continue;
    for (const char* sql : m.statements)
      s << sql, now;
    int version = m.version;
    std::string name = m.name;
    std::string applied_at = at;
    s << "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", use(version),
        use(name), use(applied_at), now;
  }
}

}  // namespace pathaudit::store
