#include "service/settings.h"

#include <Poco/AutoPtr.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/Util/PropertyFileConfiguration.h>

#include <algorithm>
#include <cstdlib>

#include "core/errors.h"

namespace pathaudit::service {

std::string resolve_data_dir(const std::optional<std::string>& from_command_line) {
  if (from_command_line && !from_command_line->empty())
    return *from_command_line;
  if (const char* env = std::getenv("PATHAUDIT_DATA_DIR"); env && *env)
    return env;
  return "./pathaudit-data";
}

Settings::Settings(std::string data_dir, std::map<std::string, std::string> overrides)
    : data_dir_(std::move(data_dir)), overrides_(std::move(overrides)) {
  const std::string props = properties_path();
  if (Poco::File(props).exists()) {
    try {
      Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> cfg(
          new Poco::Util::PropertyFileConfiguration(props));
      Poco::Util::AbstractConfiguration::Keys keys;
      cfg->keys(keys);
      for (const auto& k : keys)
        file_[k] = cfg->getString(k);
    } catch (const Poco::Exception& e) {
      throw core::ValidationError(props + ": cannot be read (" + e.message() + ")");
    }
  }
}

std::optional<std::string> Settings::get(const std::string& key) const {
  if (auto it = overrides_.find(key); it != overrides_.end())
    return it->second;
  std::string env = "PATHAUDIT_" + key;
  std::transform(env.begin(), env.end(), env.begin(), [](unsigned char c) {
    return c == '.' ? '_' : static_cast<char>(std::toupper(c));
  });
  if (const char* v = std::getenv(env.c_str()); v && *v)
    return std::string(v);
  if (auto it = file_.find(key); it != file_.end())
    return it->second;
  return std::nullopt;
}

std::string Settings::resolve_path(const std::string& value) const {
  Poco::Path p(value);
  if (p.isAbsolute())
    return value;
  return Poco::Path(Poco::Path(data_dir_).makeDirectory(), p).toString();
}

std::string Settings::database_path() const {
  return resolve_path(get("database").value_or("pathaudit.db"));
}

std::string Settings::master_key_file() const {
  return resolve_path(get("master_key_file").value_or("master.key"));
}

std::string Settings::tls_cert_file() const {
  return resolve_path(get("tls_cert_file").value_or("tls-cert.pem"));
}

std::string Settings::tls_key_file() const {
  return resolve_path(get("tls_key_file").value_or("tls-key.pem"));
}

std::string Settings::templates_dir() const {
  return get("templates_dir").value_or(PATHAUDIT_TEMPLATES_DIR);
}

std::int64_t setting_int(const Settings& settings, const char* key, std::int64_t fallback,
                         std::int64_t min, std::int64_t max) {
  const auto v = settings.get(key);
  if (!v)
    return fallback;
  const bool digits =
      !v->empty() && v->size() <= 18 &&
      std::all_of(v->begin(), v->end(), [](char c) { return c >= '0' && c <= '9'; });
  const std::int64_t n = digits ? std::stoll(*v) : -1;
  if (n < min || n > max) {
    throw core::ValidationError(std::string("setting ") + key + " must be a whole number from " +
                                std::to_string(min) + " to " + std::to_string(max));
  }
  return n;
}

}  // namespace pathaudit::service
