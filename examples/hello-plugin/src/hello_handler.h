// The GET /api/v1/hello handler: greets the authenticated caller by username when they
// hold the view-hello permission.
#pragma once

#include "hostsdk/plugin.h"

namespace hello {

class HelloHandler final : public hostsdk::RouteHandler {
 public:
  explicit HelloHandler(hostsdk::Host& host) : host_(host) {}

  void handle(const hostsdk::Request& request, hostsdk::Response& response) override;

 private:
  hostsdk::Host& host_;
};

}  // namespace hello
