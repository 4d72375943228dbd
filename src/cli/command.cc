#include "cli/command.h"

#include "service/settings.h"

namespace pathaudit::cli {
namespace {

std::vector<Command>& registry() {
  static std::vector<Command> all;
  return all;
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
  try {
    std::size_t used = 0;
    int n = std::stoi(*v, &used);
    if (used != v->size())
      throw std::invalid_argument(name);
    return n;
  } catch (const std::exception&) {
    throw UsageError("--" + name + " expects a whole number");
  }
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
