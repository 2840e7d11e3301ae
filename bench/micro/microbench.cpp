// Micro-benchmarks of the request path's fixed costs: the plugin call through the SDK against
// a direct call, token generation and hashing, and caller authentication with a warm cache.
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

#include "services/crypto.h"
#include "services/services.h"
#include "trivial_handler.h"

namespace {

hostsdk::Request sample_request() {
  hostsdk::Request request;
  request.method = "POST";
  request.path = "/api/v1/users.createToken";
  request.body = R"({"username":"user1"})";
  request.workspace = "default";
  return request;
}

// The call a host makes into a plugin: hostsdk::RouteHandler::handle, a virtual call.
void BM_DispatchThroughSdk(benchmark::State& state) {
  hostsdk::RouteHandler* handler = &rct_bench::trivial_handler();
  hostsdk::Request request = sample_request();
  hostsdk::Response response;
  for (auto _ : state) {
    benchmark::DoNotOptimize(handler);
    handler->handle(request, response);
    benchmark::DoNotOptimize(response.status);
  }
}
BENCHMARK(BM_DispatchThroughSdk);

// The same body as a direct (non-inlined) function call: the baseline.
void BM_DirectCall(benchmark::State& state) {
  hostsdk::Request request = sample_request();
  hostsdk::Response response;
  for (auto _ : state) {
    rct_bench::trivial_direct(request, response);
    benchmark::DoNotOptimize(response.status);
  }
}
BENCHMARK(BM_DirectCall);

// What each dispatch also builds: a Request of views and an empty Response.
void BM_DispatchWithRequestAndResponse(benchmark::State& state) {
  hostsdk::RouteHandler* handler = &rct_bench::trivial_handler();
  const std::string body = R"({"username":"user1"})";
  for (auto _ : state) {
    hostsdk::Request request;
    request.method = "POST";
    request.path = "/api/v1/users.createToken";
    request.body = body;
    request.workspace = "default";
    hostsdk::Response response;
    benchmark::DoNotOptimize(handler);
    handler->handle(request, response);
    benchmark::DoNotOptimize(response);
  }
}
BENCHMARK(BM_DispatchWithRequestAndResponse);

void BM_TokenGeneration(benchmark::State& state) {
  (void)host::crypto::init();
  for (auto _ : state) benchmark::DoNotOptimize(host::crypto::new_session_token());
}
BENCHMARK(BM_TokenGeneration);

// SHA-256 of a 43-character token, then base64 (44 characters): what storage keeps.
void BM_TokenHash(benchmark::State& state) {
  (void)host::crypto::init();
  const std::string token = host::crypto::new_session_token();
  for (auto _ : state) benchmark::DoNotOptimize(host::crypto::token_hash(token));
}
BENCHMARK(BM_TokenHash);

// Services over a throwaway SQLite file with one user and one live session.
class AuthFixture {
 public:
  explicit AuthFixture(std::chrono::milliseconds cache_ttl) {
    char pattern[] = "/tmp/rct-microbench-XXXXXX";
    if (::mkdtemp(pattern) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    host::ServicesConfig config;
    config.storage_url = "sqlite:" + (dir_ / "host.db").string();
    config.settings_from_environment = false;
    config.cache_ttl = cache_ttl;
    auto opened = host::Services::open(config, nullptr);
    if (!opened.ok()) throw std::runtime_error(opened.status().message());
    services_ = std::move(opened).value();
    host::UserRecord user;
    user.workspace = "default";
    user.id = host::crypto::new_user_id();
    user.username = "bench";
    user.name = "bench";
    user.roles = {"user"};
    if (!services_->storage().add_user(user).ok()) throw std::runtime_error("add user failed");
    user_id_ = user.id;
    auto token = services_->sessions().issue("default", user_id_);
    if (!token.ok()) throw std::runtime_error(token.status().message());
    token_ = token.value();
  }
  ~AuthFixture() {
    services_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  host::Services& services() { return *services_; }
  const std::string& user_id() const { return user_id_; }
  const std::string& token() const { return token_; }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<host::Services> services_;
  std::string user_id_, token_;
};

void run_authenticate(benchmark::State& state, std::chrono::milliseconds cache_ttl) {
  AuthFixture f(cache_ttl);
  for (auto _ : state) {
    auto user = f.services().authenticate("default", f.user_id(), f.token());
    if (!user.ok()) state.SkipWithError("authenticate failed");
    benchmark::DoNotOptimize(user);
  }
}

// Caller authentication as the host runs it (cache on): hash, session and user from memory.
void BM_AuthenticateWarmCache(benchmark::State& state) {
  run_authenticate(state, std::chrono::milliseconds(1000));
}
BENCHMARK(BM_AuthenticateWarmCache);

// The same without the cache: two indexed SQLite reads per call.
void BM_AuthenticateNoCache(benchmark::State& state) {
  run_authenticate(state, std::chrono::milliseconds(0));
}
BENCHMARK(BM_AuthenticateNoCache);

}  // namespace

BENCHMARK_MAIN();
