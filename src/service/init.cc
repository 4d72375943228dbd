#include "service/init.h"

#include <Poco/Data/Statement.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <sys/stat.h>

#include <fstream>

#include "core/clock.h"
#include "core/errors.h"
#include "crypto/keyring.h"
#include "crypto/tls_certificate.h"
#include "service/reference_data.h"
#include "service/settings.h"
#include "store/audit_log.h"
#include "store/data_keys.h"
#include "store/database.h"
#include "store/migrations.h"

using Poco::Data::Keywords::now;
using Poco::Data::Keywords::use;

namespace pathaudit::service {
namespace {

// The purposes every data directory starts with. "pseudonym" never rotates: linkage depends on it.
const char* const kPurposes[] = {"field", "pseudonym"};

// Removes what a failed init created, newest first.
class Undo {
 public:
  void add(std::string path) { paths_.push_back(std::move(path)); }
  void release() { paths_.clear(); }
  ~Undo() {
    for (auto it = paths_.rbegin(); it != paths_.rend(); ++it) {
      try {
        Poco::File f(*it);
        if (f.exists()) {
          f.setWriteable(true);
          f.remove(true);
        }
      } catch (...) {
      }
    }
  }

 private:
  std::vector<std::string> paths_;
};

}  // namespace

void write_properties(const std::string& path, const std::string& master_key_file) {
  std::ofstream out(path, std::ios::trunc);
  out << "# pathaudit settings for this data directory.\n"
         "# Precedence: this file < environment (PATHAUDIT_<KEY>) < command line.\n"
         "# Relative paths are relative to this directory.\n"
         "database = pathaudit.db\n"
         "# Keep the master key on separate storage from the database and its backups in\n"
         "# production (docs/security.md).\n"
         "master_key_file = "
      << master_key_file << "\n";
  out.close();
  if (!out)
    throw core::Error("could not write " + path);
  ::chmod(path.c_str(), 0600);
}

namespace {

// The self-signed certificate for local HTTPS (DESIGN.md section 7), unless the pair it names is
// there already. Half a pair is refused: a key without its certificate (or the reverse) is a
// mistake an administrator should look at, not something to paper over.
bool ensure_tls_certificate(const Settings& settings, std::vector<std::string>& did) {
  const std::string cert = settings.tls_cert_file(), key = settings.tls_key_file();
  const bool have_cert = Poco::File(cert).exists(), have_key = Poco::File(key).exists();
  if (have_cert && have_key)
    return false;
  if (have_cert != have_key) {
    throw core::ValidationError((have_cert ? cert : key) + " exists without " +
                                (have_cert ? key : cert) +
                                "; remove it to let init make a new pair, or give both");
  }
  crypto::create_self_signed_certificate(cert, key);
  did.push_back("created self-signed TLS certificate " + cert + " and its key " + key +
                " (mode 0400) for localhost; see docs/api.md to use your own");
  return true;
}

}  // namespace

int schema_version_supported() {
  return store::latest_schema_version();
}

InitResult initialise(const InitRequest& request) {
  InitResult result;
  Poco::File dir(request.data_dir);
  Settings probe(request.data_dir, {});
  if (dir.exists() && Poco::File(probe.database_path()).exists()) {
    // Data directories made before `serve` existed get their certificate; nothing else changes.
    struct UmaskGuard {
      mode_t old = ::umask(077);
      ~UmaskGuard() { ::umask(old); }
    } umask_guard;
    if (!ensure_tls_certificate(probe, result.did))
      result.did.push_back(request.data_dir + " is already initialised; nothing changed");
    else
      result.did.push_back(request.data_dir + " was already initialised; nothing else changed");
    return result;
  }
  if (dir.exists() && !dir.isDirectory()) {
    throw core::ValidationError(request.data_dir + " exists and is not a directory");
  }

  // Everything that can be wrong with the input is found before anything is written.
  core::Partnership partnership;
  if (request.partnership_file)
    partnership = load_partnership(*request.partnership_file);
  std::optional<crypto::SecretKey> given_master;
  if (request.master_key_file)
    given_master = crypto::load_master_key_file(*request.master_key_file);

  // Everything init creates is private to the service's user from the first byte, not chmod-ed
  // afterwards.
  struct UmaskGuard {
    mode_t old = ::umask(077);
    ~UmaskGuard() { ::umask(old); }
  } umask_guard;
  Undo undo;
  if (!dir.exists()) {
    dir.createDirectories();
    undo.add(request.data_dir);
    result.did.push_back("created data directory " + request.data_dir + " (mode 0700)");
  }
  if (::chmod(request.data_dir.c_str(), 0700) != 0) {
    throw core::Error("could not make " + request.data_dir + " private (mode 0700)");
  }

  std::string master_key_setting;
  std::string master_key_path;
  if (request.master_key_file) {
    master_key_path = Poco::Path(*request.master_key_file).absolute().toString();
    master_key_setting = master_key_path;
    result.did.push_back("using master key file " + master_key_path);
  } else {
    master_key_setting = "master.key";
    master_key_path = probe.master_key_file();
    crypto::create_master_key_file(master_key_path);
    undo.add(master_key_path);
    result.did.push_back("created master key " + master_key_path +
                         " (mode 0400; move it off this disk in production, see docs/security.md)");
  }
  crypto::SecretKey master =
      given_master ? std::move(*given_master) : crypto::load_master_key_file(master_key_path);

  const std::string db_path = probe.database_path();
  undo.add(db_path + "-shm");
  undo.add(db_path + "-wal");
  undo.add(db_path);
  {
    auto db = store::Database::open({db_path, /*create=*/true});
    const std::string at = core::SystemClock::instance().now_utc();
    db->write([&](store::Session& s) {
      std::string name = partnership.name.empty() ? "(not named yet)" : partnership.name;
      std::string created = at;
      s << "INSERT INTO partnership (id, name, created_at) VALUES (1, ?, ?)", use(name),
          use(created), now;
      for (const core::Agency& a : partnership.agencies) {
        std::string code = a.code, agency_name = a.name, kind = a.kind;
        s << "INSERT INTO agencies (code, name, kind) VALUES (?, ?, ?)", use(code),
            use(agency_name), use(kind), now;
      }
      for (const char* purpose : kPurposes) {
        crypto::DataKeyRecord key;
        key.id = store::next_data_key_id(s);
        key.purpose = purpose;
        key.wrapped = crypto::wrap_data_key(master, key.id, purpose, crypto::SecretKey::generate());
        key.primary = true;
        key.state = "active";
        key.created_at = at;
        store::insert_data_key(s, key);
      }
      store::append_audit(s,
                          {request.actor, "init", "partnership:1",
                           "ok: " + std::to_string(partnership.agencies.size()) + " agencies"},
                          at);
    });
    result.did.push_back("created database " + db_path + " (schema version " +
                         std::to_string(db->schema_version()) + ")");
  }
  result.did.push_back(
      "created data keys for field encryption and pseudonyms, wrapped by the "
      "master key");
  if (request.partnership_file) {
    result.did.push_back("registered partnership \"" + partnership.name + "\" with " +
                         std::to_string(partnership.agencies.size()) + " agencies");
  } else {
    result.did.push_back("no --partnership file given: no agencies registered yet");
  }
  const std::string props = probe.properties_path();
  undo.add(props);
  write_properties(props, master_key_setting);
  result.did.push_back("wrote " + props);
  {
    // Only what this call makes is removed on failure, never a pair the administrator put there.
    Settings settings(request.data_dir, {});
    for (const std::string& f : {settings.tls_cert_file(), settings.tls_key_file()})
      if (!Poco::File(f).exists())
        undo.add(f);
    ensure_tls_certificate(settings, result.did);
  }
  undo.release();
  result.created = true;
  return result;
}

}  // namespace pathaudit::service
