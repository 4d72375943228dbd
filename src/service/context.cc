#include "service/context.h"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "core/errors.h"
#include "store/data_keys.h"
#include "store/sealed_fields.h"

namespace pathaudit::service {

std::unique_ptr<Context> Context::open(const Options& options) {
  Settings settings(options.data_dir, options.overrides);
  std::unique_ptr<Context> ctx(new Context(std::move(settings), options.actor, options.clock));
  store::Database::Options db_options;
  db_options.path = ctx->settings_.database_path();
  ctx->db_ = store::Database::open(db_options);
  return ctx;
}

std::shared_ptr<const crypto::Keyring> Context::keyring() {
  std::lock_guard<std::mutex> lock(keyring_mutex_);
  if (!keyring_) {
    crypto::SecretKey master = crypto::load_master_key_file(settings_.master_key_file());
    auto records = db_->read([](store::Session& s) { return store::load_data_keys(s); });
    keyring_ = std::make_shared<const crypto::Keyring>(std::move(master), std::move(records));
  }
  return keyring_;
}

void Context::reload_keyring() {
  std::lock_guard<std::mutex> lock(keyring_mutex_);
  keyring_.reset();
}

std::string Context::open_field(const crypto::Bytes& sealed, const char* table, const char* column,
                                std::int64_t row_id) {
  const auto holder = keyring();
  const crypto::Keyring& k = *holder;
  try {
    return k.open(sealed, store::sealed_field_aad(table, column, row_id));
  } catch (const core::CryptoError&) {
    const std::string object = std::string(table) + ":" + std::to_string(row_id) + "/" + column;
    db_->write([&](store::Session& s) {
      audit(s, "field.open", object, "refused: the sealed field does not open");
    });
    throw core::CryptoError("a sealed field (" + object +
                            ") does not open: it was altered, moved or its key was shredded; "
                            "the failure is in the audit log");
  }
}

void Context::audit(store::Session& s, const std::string& action, const std::string& object,
                    const std::string& outcome) const {
  store::append_audit(s, {actor_, action, object, outcome}, clock_->now_utc());
}

std::string cli_actor() {
  // The effective uid, never $USER or $LOGNAME: the environment is the caller's to set, and the
  // audit log must name who really acted.
  const uid_t uid = ::geteuid();
  const long hint = ::sysconf(_SC_GETPW_R_SIZE_MAX);
  std::vector<char> buf(hint > 0 ? static_cast<std::size_t>(hint) : 1024);
  struct passwd pw {};
  struct passwd* found = nullptr;
  int rc = 0;
  while ((rc = ::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found)) == ERANGE &&
         buf.size() < (1u << 20))
    buf.resize(buf.size() * 2);
  if (rc == 0 && found && found->pw_name && *found->pw_name)
    return std::string("cli:") + found->pw_name;
  return "cli:uid-" + std::to_string(uid);
}

}  // namespace pathaudit::service
