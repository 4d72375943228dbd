#include "service/backup.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Path.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "core/clock.h"
#include "core/errors.h"
#include "crypto/bytes.h"
#include "crypto/hash.h"
#include "crypto/keyring.h"
#include "service/files.h"
#include "service/init.h"
#include "service/json_file.h"
#include "service/settings.h"
#include "store/backup.h"
#include "store/migrations.h"

namespace pathaudit::service {
namespace {

constexpr const char* kManifestFormat = "pathaudit-backup/1";

namespace fs = std::filesystem;

// Removes the temporary files of a backup or restore that did not finish, however it ended.
class TempFiles {
 public:
  ~TempFiles() {
    for (const auto& p : paths_) {
      std::error_code ec;
      for (const char* suffix : {"", "-journal", "-wal", "-shm"})
        fs::remove(p + suffix, ec);
    }
  }
  // A new empty file, mode 0600, named `prefix` plus a random suffix, in `prefix`'s directory.
  std::string make(const std::string& prefix, const std::string& what) {
    std::string tmpl = prefix + "XXXXXX";
    const int fd = ::mkstemp(tmpl.data());
    if (fd < 0)
      throw core::Error(what + " could not be created: " + std::strerror(errno));
    ::close(fd);
    paths_.push_back(tmpl);
    return tmpl;
  }
  // The file was published under its final name; nothing to remove.
  void keep(const std::string& path) { std::erase(paths_, path); }

 private:
  std::vector<std::string> paths_;
};

std::string join_ids(const std::vector<BackupKey>& keys) {
  std::string out;
  for (const auto& k : keys)
    out += (out.empty() ? "" : ",") + std::to_string(k.id);
  return out.empty() ? "none" : out;
}

std::string manifest_json(const BackupManifest& m) {
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("format", kManifestFormat);
  root.set("file", Poco::Path(m.file).getFileName());
  root.set("created_at", m.created_at);
  root.set("pathaudit_version", m.pathaudit_version);
  root.set("sha256", m.sha256);
  root.set("bytes", m.bytes);
  root.set("schema_version", m.schema_version);
  Poco::JSON::Object log(Poco::JSON_PRESERVE_KEY_ORDER);
  log.set("entries", m.audit_log_entries);
  log.set("head", m.audit_log_head);
  root.set("audit_log", log);
  Poco::JSON::Array keys;
  for (const auto& k : m.data_keys) {
    Poco::JSON::Object key(Poco::JSON_PRESERVE_KEY_ORDER);
    key.set("id", k.id);
    key.set("purpose", k.purpose);
    key.set("state", k.state);
    keys.add(key);
  }
  root.set("data_keys", keys);
  root.set("master_key_included", false);
  std::ostringstream out;
  root.stringify(out, 2);
  out << "\n";
  return out.str();
}

void write_all(const std::string& path, const std::string& text, const std::string& what) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out)
    throw core::Error(what + " could not be written");
}

bool is_hex64(const std::string& s) {
  return s.size() == 64 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

[[noreturn]] void refuse(const std::string& why) {
  throw core::ValidationError("restore refused: " + why);
}

// Copies `from` to the new file `to` while hashing it, so the bytes checked are the bytes hashed.
std::string copy_and_hash(const std::string& from, const std::string& to) {
  std::ifstream in(from, std::ios::binary);
  if (!in)
    refuse(from + " cannot be read (missing or not permitted)");
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  crypto::Sha256 h;
  char buf[1 << 16];
  while (in.read(buf, sizeof buf) || in.gcount() > 0) {
    const auto n = static_cast<std::size_t>(in.gcount());
    h.update(buf, n);
    out.write(buf, static_cast<std::streamsize>(n));
  }
  out.close();
  if (in.bad())
    refuse(from + " could not be read in full");
  if (!out)
    throw core::Error("the staged copy of the backup could not be written in the data directory");
  const auto d = h.finish();
  return crypto::to_hex(d.data(), d.size());
}

std::string compact_utc(const std::string& iso) {
  std::string out;
  for (char c : iso) {
    if (c != '-' && c != ':')
      out += c;
  }
  return out;
}

}  // namespace

std::string manifest_path(const std::string& backup_file) {
  return backup_file + ".manifest.json";
}

BackupManifest read_manifest(const std::string& backup_file) {
  const std::string path = manifest_path(backup_file);
  if (!fs::exists(path))
    refuse(path +
           " is missing: a backup is restored only with the manifest `pathaudit backup` "
           "wrote beside it");
  const JsonNode root = JsonNode::parse_file(path);
  root.allow_only({"format", "file", "created_at", "pathaudit_version", "sha256", "bytes",
                   "schema_version", "audit_log", "data_keys", "master_key_included"});
  if (root.at("format").as_string() != kManifestFormat)
    root.at("format").fail(std::string("expected \"") + kManifestFormat + "\"");
  BackupManifest m;
  m.file = backup_file;
  m.manifest_file = path;
  m.created_at = root.at("created_at").as_string();
  m.pathaudit_version = root.at("pathaudit_version").as_string();
  m.sha256 = root.at("sha256").as_string();
  if (!is_hex64(m.sha256))
    root.at("sha256").fail("expected 64 lower-case hex digits");
  m.bytes = static_cast<std::uint64_t>(root.at("bytes").as_int());
  m.schema_version = static_cast<int>(root.at("schema_version").as_int());
  const JsonNode log = root.at("audit_log");
  log.allow_only({"entries", "head"});
  m.audit_log_entries = log.at("entries").as_int();
  m.audit_log_head = log.at("head").as_string();
  for (const JsonNode& k : root.at("data_keys").elements()) {
    k.allow_only({"id", "purpose", "state"});
    const std::int64_t id = k.at("id").as_int();
    if (id < 1 || id > 0xffffffffLL)
      k.at("id").fail("expected a data key id from 1");
    m.data_keys.push_back(
        {static_cast<std::uint32_t>(id), k.at("purpose").as_string(), k.at("state").as_string()});
  }
  return m;
}

BackupManifest create_backup(Context& ctx, const Principal& who, const std::string& output) {
  require_admin(who, "making a backup");
  const std::string manifest = manifest_path(output);
  for (const std::string& p : {output, manifest}) {
    std::error_code ec;
    if (fs::exists(fs::symlink_status(p, ec)))
      throw core::ValidationError(p + " exists already: pathaudit never overwrites a file");
  }
  const fs::path dir = fs::path(output).parent_path();
  if (!dir.empty() && !fs::is_directory(dir))
    throw core::ValidationError(dir.string() + " is not a directory");

  TempFiles temp;
  // Temporary names beside the final ones, so the rename stays on one file system and a crash
  // leaves only a `.part-` file, never a half backup under the final name.
  const std::string part = temp.make(output + ".part-", "the backup file");
  store::copy_database_online(ctx.db().path(), part);
  ::chmod(part.c_str(), 0600);
  const store::DatabaseFileCheck check = [&] {
    try {
      return store::check_database_file(part);
    } catch (const core::ValidationError& e) {
      throw core::Error(std::string("the backup copy does not read back: ") + e.what());
    }
  }();
  if (check.integrity != "ok")
    throw core::Error("the backup copy failed SQLite's integrity check (" + check.integrity +
                      "); the live database may be damaged: run `pathaudit verify-log` and check "
                      "the disk");
  sync_file(part, "the backup file");

  BackupManifest m;
  m.file = output;
  m.manifest_file = manifest;
  m.created_at = ctx.clock().now_utc();
  m.pathaudit_version = PATHAUDIT_VERSION;
  m.sha256 = file_sha256(part, "the backup file");
  m.bytes = static_cast<std::uint64_t>(fs::file_size(part));
  m.schema_version = check.schema_version;
  m.audit_log_entries = check.audit_log.entries;
  m.audit_log_head = check.audit_log.head_hash;
  for (const auto& k : check.data_keys) {
    if (k.state != "shredded")
      m.data_keys.push_back({k.id, k.purpose, k.state});
  }
  if (!check.audit_log.ok) {
    // A restore refuses such a copy: say so now, not on the day it is needed.
    throw core::Error("the audit log is broken at entry " +
                      std::to_string(check.audit_log.first_bad_seq.value_or(0)) + " (" +
                      check.audit_log.problem +
                      "); no backup was written: run `pathaudit verify-log` and investigate first");
  }

  const std::string manifest_part = temp.make(manifest + ".part-", "the backup manifest");
  write_all(manifest_part, manifest_json(m), "the backup manifest");
  sync_file(manifest_part, "the backup manifest");

  publish_file(part, output);
  temp.keep(part);
  bool manifest_published = false;
  try {
    publish_file(manifest_part, manifest);
    temp.keep(manifest_part);
    manifest_published = true;
    ctx.db().write([&](store::Session& s) {
      audit_as(ctx, s, who, "backup.create", "",
               "ok: sha256 " + m.sha256 + ", " + std::to_string(m.bytes) + " bytes, schema " +
                   std::to_string(m.schema_version) + ", audit log head " + m.audit_log_head +
                   " (" + std::to_string(m.audit_log_entries) + " entries), data keys " +
                   join_ids(m.data_keys));
    });
  } catch (...) {
    // A backup the log does not record, or one without its manifest, must not be left behind.
    std::error_code ec;
    fs::remove(output, ec);
    if (manifest_published)
      fs::remove(manifest, ec);
    throw;
  }
  return m;
}

RestoreResult restore_backup(const RestoreRequest& request) {
  const Settings settings(request.data_dir, request.overrides);
  const std::string db_path = settings.database_path();
  const bool exists = fs::exists(db_path);

  // Who acts: the operator, or an admin account of the current database. The account is looked up
  // and the Context closed again before anything is verified, so this process holds no connection
  // to the database it may replace.
  Principal who = Principal::operator_principal(request.actor);
  if (!request.as_username.empty()) {
    if (!exists)
      throw core::NotFoundError("--as needs the current database to find the account, and " +
                                db_path +
                                " does not exist; restore onto a new machine as the "
                                "operator, without --as");
    auto ctx = Context::open({request.data_dir, request.overrides, request.actor});
    who = principal_for(*ctx, request.as_username);
  }
  require_admin(who, "restoring a backup");

  RestoreResult result;
  result.database = db_path;
  result.replaces = exists;
  BackupManifest m = read_manifest(request.from);
  result.backup = m;

  // Staged beside the database so the final rename is atomic on one file system; for a dry run
  // into a directory that does not exist yet, beside the backup instead.
  const std::string data_dir = settings.data_dir();
  if (!fs::is_directory(data_dir) && request.confirm) {
    const mode_t old = ::umask(077);
    std::error_code ec;
    fs::create_directories(data_dir, ec);
    ::umask(old);
    if (ec || ::chmod(data_dir.c_str(), 0700) != 0)
      throw core::Error("could not create the data directory " + data_dir + " (mode 0700)");
  }
  const std::string stage_prefix =
      fs::is_directory(data_dir) ? db_path + ".restore-" : request.from + ".restore-";
  TempFiles temp;
  const std::string staged = temp.make(stage_prefix, "the staged copy of the backup");

  // 1. The bytes are the bytes that were backed up.
  const std::string sha = copy_and_hash(request.from, staged);
  if (sha != m.sha256)
    refuse(request.from + " does not match the SHA-256 in its manifest (" + m.sha256.substr(0, 12) +
           "... expected, " + sha.substr(0, 12) +
           "... found): the file was changed or damaged after the backup was made");

  // 2. SQLite's own consistency check; 3. a schema this binary can open.
  store::DatabaseFileCheck check;
  try {
    check = store::check_database_file(staged);
  } catch (const core::ValidationError& e) {
    refuse(request.from + " failed the integrity check: " + e.what());
  }
  if (check.integrity != "ok")
    refuse(request.from +
           " failed the integrity check (PRAGMA integrity_check: " + check.integrity + ")");
  if (check.schema_version == 0)
    refuse(request.from + " is not a pathaudit database (it has no schema version)");
  if (check.schema_version > store::latest_schema_version())
    refuse(request.from + " has database schema version " + std::to_string(check.schema_version) +
           ", newer than this pathaudit understands (up to " +
           std::to_string(store::latest_schema_version()) +
           "); restore it with the pathaudit release that made it, or a later one");
  if (check.schema_version != m.schema_version)
    refuse(request.from + " has schema version " + std::to_string(check.schema_version) +
           " but its manifest says " + std::to_string(m.schema_version));

  // 4. The audit log's chain, and that it ends where it ended when the backup was made.
  if (!check.audit_log.ok)
    refuse("the audit log in " + request.from + " is broken at entry " +
           std::to_string(check.audit_log.first_bad_seq.value_or(0)) + ": " +
           check.audit_log.problem);
  if (check.audit_log.head_hash != m.audit_log_head ||
      check.audit_log.entries != m.audit_log_entries)
    refuse("the audit log in " + request.from + " does not end where its manifest says (" +
           std::to_string(check.audit_log.entries) + " entries, manifest " +
           std::to_string(m.audit_log_entries) + ")");

  // 5. The keyring this data directory will use opens every data key the backup holds.
  const std::string master_file = settings.master_key_file();
  crypto::SecretKey master = [&] {
    try {
      return crypto::load_master_key_file(master_file);
    } catch (const core::ValidationError& e) {
      refuse(std::string("the master key cannot be loaded: ") + e.what() +
             " (give the key with --master-key-file)");
    }
  }();
  for (const BackupKey& k : m.data_keys) {
    bool present = false;
    for (const auto& r : check.data_keys)
      present = present || (r.id == k.id && r.state != "shredded");
    if (!present)
      refuse(request.from + " lacks data key " + std::to_string(k.id) + " that its manifest lists");
  }
  try {
    crypto::Keyring keyring(std::move(master), check.data_keys);
  } catch (const core::Error& e) {
    refuse("the master key " + master_file + " does not unwrap the data keys of " + request.from +
           " (" + e.what() +
           "): it is not the key the backup was made under (after a master-key rotation, the "
           "backup still needs the old key)");
  }
  for (const auto& r : check.data_keys)
    result.data_keys_unwrapped += r.state != "shredded" ? 1 : 0;

  const std::string at = core::SystemClock::instance().now_utc();
  if (exists)
    result.previous_kept = db_path + ".pre-restore-" + compact_utc(at);
  if (!request.confirm)
    return result;

  // The restore is recorded in the restored database itself, before it becomes the live one, so
  // the entry and the swap cannot come apart.
  store::prepare_restored_file(
      staged,
      {who.actor(), "backup.restore", "",
       "ok: backup sha256 " + m.sha256 + " made " + m.created_at + ", schema " +
           std::to_string(m.schema_version) + ", audit log head " + m.audit_log_head + " (" +
           std::to_string(m.audit_log_entries) + " entries)" +
           (exists ? "; the previous database was kept" : "; no previous database")},
      at);
  ::chmod(staged.c_str(), 0600);
  sync_file(staged, "the staged copy of the backup");

  if (exists) {
    // Refuses while anything has the database open; otherwise folds its WAL in, removes -wal and
    // -shm (a stale WAL would be replayed onto the restored file) and keeps others out until the
    // swap is done.
    store::ReplacementLock lock(db_path);
    if (::link(db_path.c_str(), result.previous_kept.c_str()) != 0)
      throw core::Error("could not keep the current database as " + result.previous_kept + ": " +
                        std::strerror(errno));
    if (::rename(staged.c_str(), db_path.c_str()) != 0)
      throw core::Error("could not move the restored database into place: " +
                        std::string(std::strerror(errno)) + "; the current database is unchanged");
    temp.keep(staged);
    sync_directory(fs::path(db_path).parent_path().string());
  } else {
    publish_file(staged, db_path);
    temp.keep(staged);
  }
  if (!fs::exists(settings.properties_path())) {
    // A new machine: the data directory needs its settings; the master key stays where it is.
    write_properties(settings.properties_path(), Poco::Path(master_file).absolute().toString());
  }
  result.done = true;
  return result;
}

}  // namespace pathaudit::service
