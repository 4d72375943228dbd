#include "cli/command.h"

#include <charconv>
#include <limits>
#include <system_error>

#include "service/settings.h"

namespace pathaudit::cli {
namespace {

std::vector<Command>& registry() {
  static std::vector<Command> all;
  return all;
}

// Digits only, the whole text, in range of N: std::from_chars without the sign it would accept
// for signed types.
template <class N>
bool parse_digits(const std::string& text, N& out) {
  if (text.empty() || text.front() < '0' || text.front() > '9')
    return false;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, out);
  return ec == std::errc() && ptr == end;
}

}  // namespace

const std::vector<Command>& commands() {
  return registry();
}

Registrar::Registrar(Command command) {
  registry().push_back(std::move(command));
}

std::optional<std::string> Invocation::value(const std::string& name) const {
  auto it = options.find(name);
  if (it == options.end() || it->second.empty())
    return std::nullopt;
  return it->second.back();
}

std::string Invocation::required(const std::string& name) const {
  auto v = value(name);
  if (!v)
    throw UsageError("missing required option --" + name);
  return *v;
}

int Invocation::integer(const std::string& name, int fallback) const {
  auto v = value(name);
  if (!v)
    return fallback;
  int n = 0;
  if (!parse_digits(*v, n))
    throw UsageError("--" + name + " expects a whole number from 0 to " +
                     std::to_string(std::numeric_limits<int>::max()));
  return n;
}

std::int64_t Invocation::int64(const std::string& name, std::int64_t fallback) const {
  auto v = value(name);
  if (!v)
    return fallback;
  std::int64_t n = 0;
  if (!parse_digits(*v, n))
    throw UsageError("--" + name + " expects a whole number from 0 to " +
                     std::to_string(std::numeric_limits<std::int64_t>::max()));
  return n;
}

std::uint64_t Invocation::uint64(const std::string& name, std::uint64_t fallback) const {
  auto v = value(name);
  if (!v)
    return fallback;
  std::uint64_t n = 0;
  if (!parse_digits(*v, n))
    throw UsageError("--" + name + " expects a whole number from 0 to " +
                     std::to_string(std::numeric_limits<std::uint64_t>::max()));
  return n;
}

std::int64_t parse_id(const std::string& text, const char* what) {
  std::int64_t id = 0;
  if (!parse_digits(text, id) || id < 1)
    throw UsageError(std::string(what) + " must be a whole number from 1");
  return id;
}

std::string Invocation::data_dir() const {
  return service::resolve_data_dir(value("data-dir"));
}

std::map<std::string, std::string> Invocation::setting_overrides() const {
  std::map<std::string, std::string> out;
  if (auto v = value("master-key-file"))
    out["master_key_file"] = *v;
  if (auto v = value("rules"))
    out["rules"] = *v;
  return out;
}

}  // namespace pathaudit::cli
