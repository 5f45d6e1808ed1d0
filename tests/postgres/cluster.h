// A throwaway PostgreSQL cluster for tests: initdb in a temporary
// directory, a server listening only on a unix socket in that directory,
// a fresh database per test. PostgreSQL refuses to run as root, so when the
// tests run as root the server runs as the unprivileged `paydomain-pg`
// user (made by scripts/setup.sh; Debian's `postgres` as a fallback).
//
// One cluster per test binary: started by the first call of shared(), and
// stopped and removed at exit by a guard process that also does it when the
// test binary crashes or is killed (it waits for the binary's end of a pipe
// to close).
#pragma once

#include <string>
#include <vector>

namespace paydomain::testing {

class PgCluster {
 public:
  // The binary's cluster, started on first use; nullptr (with the reason in
  // *why) when PostgreSQL is not installed or will not start.
  static PgCluster* shared(std::string* why = nullptr);

  // A new empty database; its postgresql:// URL.
  std::string create_database();
  std::string url(const std::string& database) const;
  const std::string& socket_dir() const { return dir_; }

  // Stops (fast shutdown: connections are cut) and starts the server again,
  // for outage tests. true on success.
  bool stop();
  bool start();

 private:
  PgCluster() = default;
  bool init(std::string* why);
  bool run_as_owner(const std::vector<std::string>& argv, const std::string& log);

  std::string bin_;   // /usr/lib/postgresql/N/bin
  std::string dir_;   // data in dir_/data, socket in dir_, logs in dir_/*.log
  int port_ = 5432;   // names the socket file only (no TCP listener)
  int databases_ = 0;
  unsigned uid_ = 0, gid_ = 0;
  bool switch_user_ = false;
};

}  // namespace paydomain::testing
