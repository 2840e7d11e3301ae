// A handler that only sets the status, so that the benchmark measures the call and not the
// work: one copy reached through RouteHandler::handle, one as a direct function.
#include "trivial_handler.h"

namespace rct_bench {
namespace {

void fill(const hostsdk::Request& request, hostsdk::Response& response) {
  response.status = request.body.empty() ? 204 : 200;
}

class TrivialHandler final : public hostsdk::RouteHandler {
 public:
  void handle(const hostsdk::Request& request, hostsdk::Response& response) override {
    fill(request, response);
  }
};

}  // namespace

hostsdk::RouteHandler& trivial_handler() {
  static TrivialHandler handler;
  return handler;
}

void trivial_direct(const hostsdk::Request& request, hostsdk::Response& response) {
  fill(request, response);
}

}  // namespace rct_bench
