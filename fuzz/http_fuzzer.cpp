// libFuzzer target: raw bytes as one keep-alive connection to rchost (parser limits, routing,
// auth, rate limit, built-in routes and the plugin over real SQLite storage), checked per answer.
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_check.h"
#include "http/enablement_cache.h"
#include "http/rate_limiter.h"
#include "http_replay.h"
#include "http_world.h"

namespace rct_fuzz {
namespace {

namespace bhttp = boost::beast::http;
using Json = nlohmann::json;

// 11 pipelined requests reach the plugin route's rate limit (10 per window).
constexpr std::size_t kMaxRequests = 16;

HttpWorld& world() {
  static HttpWorld* w = new HttpWorld();  // never destroyed: libFuzzer may exit anywhere
  return *w;
}

bool is_token(const std::string& t) {
  return t.size() == 43 && std::all_of(t.begin(), t.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
         });
}

// The bytes on the wire frame exactly the response the dispatcher produced: nothing was
// injected into the head, and the body is whole.
void check_wire(const Exchange& ex) {
  bhttp::response_parser<bhttp::string_body> parser;
  parser.eager(true);
  parser.body_limit(64 * 1024 * 1024);
  boost::beast::error_code ec;
  const std::size_t used = parser.put(boost::asio::buffer(ex.wire), ec);
  FUZZ_CHECK(!ec && parser.is_done() && used == ex.wire.size(), "unparsable answer: " + ex.wire);
  const auto& msg = parser.get();
  const auto fields = static_cast<std::size_t>(std::distance(msg.begin(), msg.end()));
  FUZZ_CHECK(fields == ex.wire_fields, "header fields changed on the wire: " + ex.wire);
  if (!ex.built_fallback) {
    FUZZ_CHECK(msg.result_int() == static_cast<unsigned>(ex.response.status), ex.wire);
    FUZZ_CHECK(msg.body() == ex.response.body, "body changed on the wire");
  }
}

void check_exchange(const Exchange& ex) {
  const hostsdk::Response& r = ex.response;
  const std::string what =
      ex.method + " " + ex.target + " -> " + std::to_string(r.status) + " " + r.body.substr(0, 300);
  // Spec §5: no request, however malformed, gets a 500 (storage is up here, so no 503); a
  // transfer coding the host does not decode is the one 5xx, 501.
  FUZZ_CHECK((r.status >= 200 && r.status < 500) || r.status == 501, what);
  FUZZ_CHECK(!ex.built_fallback, "the response could not be serialized: " + what);
  const auto ids = std::count_if(r.headers.begin(), r.headers.end(),
                                 [](const auto& h) { return h.first == "X-Request-Id"; });
  FUZZ_CHECK(ids == 1, "X-Request-Id missing or repeated: " + what);
  check_wire(ex);

  if (r.content_type != "application/json") {
    FUZZ_CHECK(ex.target.rfind("/metrics", 0) == 0 && r.status == 200, "not JSON: " + what);
    return;
  }
  const Json doc = Json::parse(r.body, nullptr, false);
  FUZZ_CHECK(!doc.is_discarded(), "body is not JSON: " + what);
  if (r.status >= 400) {
    FUZZ_CHECK(doc.is_object() && doc.value("success", Json()) == Json(false), what);
    FUZZ_CHECK(doc.value("error", Json()).is_string(), what);
  }
  if (r.status == 200 && ex.target.rfind("/api/v1/users.createToken", 0) == 0) {
    const auto token = doc.value("/data/authToken"_json_pointer, Json());
    FUZZ_CHECK(token.is_string() && is_token(token.get<std::string>()), what);
  }
}

}  // namespace
}  // namespace rct_fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace rct_fuzz;
  HttpWorld& w = world();
  w.restore_sessions();
  // Fresh per input so that each input is judged alone (rate windows, enablement cache).
  host::http::EnablementCache enablement(w.services().storage());
  host::http::RateLimiter rate_limiter;
  host::http::Dispatcher dispatcher(
      {w.services(), w.routes(), enablement, rate_limiter, w.metrics()});
  const host::http::ServerOptions limits;  // rchost's defaults: 8 KiB head, 64 KiB body
  const auto exchanges = replay(std::string_view(reinterpret_cast<const char*>(data), size),
                                dispatcher, limits, kMaxRequests);
  static const bool verbose = std::getenv("RCT_FUZZ_VERBOSE") != nullptr;  // when reproducing
  for (const auto& ex : exchanges) {
    if (verbose)
      std::fprintf(stderr, "%s %s -> %s\n", ex.method.c_str(), ex.target.c_str(), ex.wire.c_str());
    check_exchange(ex);
  }
  return 0;
}
