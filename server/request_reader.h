// Reads HTTP/1.1 requests from a byte stream, transport-neutral: the socket
// code feeds it what arrives, the HTTP fuzz target feeds it arbitrary bytes.
// It enforces RFC 9112 framing strictly, because a lenient reader behind a
// proxy is a request-smuggling risk: Transfer-Encoding must end in exactly
// one "chunked" (anything else is 400, codings we do not implement 501),
// Content-Length together with Transfer-Encoding is 400, obs-fold header
// lines are 400, more than one Host is 400. Trailer fields are read, bounded
// by the header limit, and dropped: they never become request headers.
// Nothing here throws; every problem is a ReadError answered before closing.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/http.h"

namespace paydomain::server {

struct ReadError {
  int status = 400;   // 400, 408, 413, 431, 501
  std::string code;   // the API error code, e.g. "bad-request"
  std::string message;
};

class RequestReader {
 public:
  RequestReader(size_t header_limit, size_t body_limit);
  ~RequestReader();
  RequestReader(const RequestReader&) = delete;
  RequestReader& operator=(const RequestReader&) = delete;

  // Parses as much of `data` (every byte received and not yet consumed) as
  // it can; returns how many bytes were consumed. Afterwards exactly one
  // holds: done() (take() the request), error() (answer it, then close), or
  // neither (feed the unconsumed rest again with more bytes appended).
  size_t parse(std::string_view data);

  bool done() const;
  const std::optional<ReadError>& error() const;
  // True once any byte of the current request has been seen: a timeout or
  // EOF after that is a failed request (408/400), before it a quiet close.
  bool begun() const;
  // After done(): whether the connection may stay open (HTTP/1.1 default,
  // "Connection: close", HTTP/1.0 keep-alive).
  bool keep_alive() const;

  // The complete request (method, target, path, query, headers, body); the
  // reader is then ready for the next request on the same connection.
  Request take();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace paydomain::server
