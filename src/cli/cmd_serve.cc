// pathaudit serve: the HTTPS service over one data directory (docs/api.md). Translates options
// into http::ServerOptions, runs the server until SIGTERM or SIGINT, then stops it gracefully:
// no new connections, in-flight requests finish, the database closes when the context goes.
#include <Poco/File.h>
#include <Poco/Net/NetSSL.h>
#include <Poco/Util/Option.h>
#include <signal.h>
#include <sys/stat.h>

#include <iostream>

#include "cli/acting.h"
#include "cli/command.h"
#include "core/errors.h"
#include "http/api.h"
#include "http/server.h"
#include "service/sessions.h"

namespace pathaudit::cli {
namespace {

using Poco::Util::Option;

struct SslLibrary {
  SslLibrary() { Poco::Net::initializeSSL(); }
  ~SslLibrary() { Poco::Net::uninitializeSSL(); }
};

int run_serve(const Invocation& in) {
  if (!in.args.empty())
    throw UsageError("serve takes no arguments");
  // Every thread the server makes inherits this mask, so the signals reach only sigwait below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  // A client that hangs up mid-response must not kill the process (OpenSSL writes with write()).
  ::signal(SIGPIPE, SIG_IGN);

  http::ServerOptions options;
  options.listen = in.value("listen").value_or("127.0.0.1:8443");
  options.tls = !in.has("insecure-http");
  options.max_threads = in.integer("threads", options.max_threads);
  if (options.max_threads < 4 || options.max_threads > 128)
    throw UsageError("--threads expects a whole number from 4 to 128");
  if (in.has("tls-cert") != in.has("tls-key"))
    throw UsageError("give --tls-cert and --tls-key together");
  if (!options.tls && in.has("tls-cert"))
    throw UsageError("--insecure-http serves plain HTTP: it takes no --tls-cert or --tls-key");
  const http::ListenAddress where = http::parse_listen(options.listen);
  if (!options.tls && !where.loopback) {
    throw UsageError("--insecure-http is refused on " + options.listen +
                     ": plain HTTP is only for a loopback address such as 127.0.0.1 or [::1]; "
                     "drop --insecure-http to serve HTTPS");
  }

  auto ctx = open_context(in);
  if (in.has("list-routes")) {
    // The API's surface for scripts and the tests that compare it with docs/openapi.yaml.
    http::ServerMetrics metrics;
    http::Router router;
    http::add_api_routes(router, *ctx, service::SessionPolicy::from(ctx->settings()), metrics);
    for (const auto& r : router.routes())
      std::cout << r.method << " " << r.pattern << "\n";
    return kExitOk;
  }
  if (options.tls) {
    options.cert_file = in.value("tls-cert").value_or(ctx->settings().tls_cert_file());
    options.key_file = in.value("tls-key").value_or(ctx->settings().tls_key_file());
    for (const std::string* f : {&options.cert_file, &options.key_file}) {
      if (!Poco::File(*f).exists()) {
        throw core::ValidationError(
            "no TLS certificate or key at " + *f + ": run `pathaudit init --data-dir " +
            in.data_dir() + "` to make a self-signed pair, or give --tls-cert and --tls-key");
      }
    }
    // A private key any local user can read is no longer private; refuse rather than serve.
    struct stat st {};
    if (::stat(options.key_file.c_str(), &st) == 0 && (st.st_mode & S_IROTH) != 0) {
      throw core::ValidationError("the TLS key " + options.key_file +
                                  " is readable by every user: chmod o-r it (init makes it 0400)");
    }
  }
  const service::SessionPolicy policy = service::SessionPolicy::from(ctx->settings());
  service::prepare_sign_in();

  SslLibrary ssl;
  http::ServerMetrics metrics;
  http::Router router;
  http::add_api_routes(router, *ctx, policy, metrics);
  http::Server server(options, router, *ctx, policy, metrics);
  server.start();
  std::cout << "pathaudit: listening on " << server.url() << std::endl;

  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  http::log_line(std::string("stopping on ") + (signal_number == SIGINT ? "SIGINT" : "SIGTERM") +
                 "; finishing requests in flight");
  server.stop();
  http::log_line("stopped");
  return kExitOk;
}

const Registrar registrar{Command{
    .name = "serve",
    .summary = "run the HTTPS service and JSON API (docs/api.md)",
    .usage = "[--data-dir DIR] [--listen HOST:PORT] [--tls-cert FILE --tls-key FILE] "
             "[--insecure-http] [--threads N] [--list-routes]",
    .define_options =
        [](Poco::Util::OptionSet& o) {
          o.addOption(Option("listen", "",
                             "address and port (default 127.0.0.1:8443; port 0 "
                             "picks a free one)")
                          .argument("HOST:PORT")
                          .repeatable(false));
          o.addOption(Option("tls-cert", "",
                             "certificate chain, PEM (default: the one init made in the data "
                             "directory)")
                          .argument("FILE")
                          .repeatable(false));
          o.addOption(Option("tls-key", "", "private key of the certificate, PEM")
                          .argument("FILE")
                          .repeatable(false));
          o.addOption(Option("insecure-http", "",
                             "serve plain HTTP instead of HTTPS; only on a loopback address")
                          .repeatable(false));
          o.addOption(Option("list-routes", "", "print METHOD PATTERN of every route and exit"));
          o.addOption(Option("threads", "", "most worker threads (4 to 128, default 16)")
                          .argument("N")
                          .repeatable(false));
        },
    .run = run_serve,
}};

}  // namespace
}  // namespace pathaudit::cli
