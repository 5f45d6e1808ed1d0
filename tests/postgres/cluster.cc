#include "tests/postgres/cluster.h"

#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "base/str_cat.h"

namespace paydomain::testing {
namespace {

namespace fs = std::filesystem;

// The newest installed server's bin directory ($PAYDOMAIN_PG_BIN overrides).
std::string find_bin() {
  if (const char* env = std::getenv("PAYDOMAIN_PG_BIN"); env && *env) return env;
  std::vector<std::string> found;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    if (fs::exists(e.path() / "bin" / "initdb")) found.push_back((e.path() / "bin").string());
  }
  if (found.empty()) return "";
  std::sort(found.begin(), found.end(), [](const std::string& a, const std::string& b) {
    return a.size() != b.size() ? a.size() < b.size() : a < b;
  });
  return found.back();
}

void stop_and_remove(const std::string& bin, const std::string& dir, bool switch_user, unsigned uid, unsigned gid) {
  pid_t pid = fork();
  if (pid == 0) {
    if (switch_user && (setgid(gid) != 0 || setuid(uid) != 0)) _exit(127);
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    std::string pg_ctl = bin + "/pg_ctl", data = dir + "/data";
    execl(pg_ctl.c_str(), "pg_ctl", "-D", data.c_str(), "-m", "immediate", "-w", "stop", static_cast<char*>(nullptr));
    _exit(127);
  }
  if (pid > 0) waitpid(pid, nullptr, 0);
  std::error_code ec;
  fs::remove_all(dir, ec);
}

}  // namespace

bool PgCluster::run_as_owner(const std::vector<std::string>& argv, const std::string& log) {
  pid_t pid = fork();
  if (pid < 0) return false;
  if (pid == 0) {
    if (switch_user_ && (setgroups(0, nullptr) != 0 || setgid(gid_) != 0 || setuid(uid_) != 0)) _exit(126);
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

bool PgCluster::init(std::string* why) {
  bin_ = find_bin();
  if (bin_.empty()) {
    *why = "PostgreSQL server binaries not found under /usr/lib/postgresql (run scripts/setup.sh)";
    return false;
  }
  if (geteuid() == 0) {
    const passwd* pw = getpwnam("paydomain-pg");
    if (!pw) pw = getpwnam("postgres");
    if (!pw) {
      *why = "running as root and no user paydomain-pg to run PostgreSQL as (run scripts/setup.sh)";
      return false;
    }
    switch_user_ = true;
    uid_ = pw->pw_uid;
    gid_ = pw->pw_gid;
  }
  std::string tmpl = (fs::temp_directory_path() / "pd_pg_XXXXXX").string();
  if (!mkdtemp(tmpl.data())) {
    *why = "mkdtemp failed";
    return false;
  }
  dir_ = tmpl;
  if (switch_user_ && chown(dir_.c_str(), uid_, gid_) != 0) {
    *why = "cannot hand " + dir_ + " to the PostgreSQL user";
    return false;
  }
  // The guard: removes the cluster when this process ends, however it ends.
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    *why = "pipe failed";
    return false;
  }
  pid_t guard = fork();
  if (guard == 0) {
    close(fds[1]);
    setsid();  // not killed with the test's process group by a ^C mid-cleanup
    char c;
    while (read(fds[0], &c, 1) != 0) {
    }
    stop_and_remove(bin_, dir_, switch_user_, uid_, gid_);
    _exit(0);
  }
  close(fds[0]);
  // The write end stays open, unused, for the life of this process (and of
  // forked test children; exec'd programs do not inherit it).
  (void)fds[1];

  if (!run_as_owner({bin_ + "/initdb", "-D", dir_ + "/data", "-A", "trust", "-U", "postgres", "-E", "UTF8",
                     "--locale=C.UTF-8", "--no-sync"},
                    dir_ + "/initdb.log")) {
    *why = "initdb failed, see " + dir_ + "/initdb.log";
    return false;
  }
  if (!start()) {
    *why = "the PostgreSQL server did not start, see " + dir_ + "/server.log";
    return false;
  }
  return true;
}

bool PgCluster::start() {
  // fsync off: a test cluster never outlives a machine crash, and it halves
  // the time of commit-heavy tests ($PAYDOMAIN_PG_FSYNC=on for benchmarks).
  // Unix socket only: no port to collide on.
  const char* fsync_env = std::getenv("PAYDOMAIN_PG_FSYNC");
  const std::string fsync = fsync_env && std::string(fsync_env) == "on" ? "on" : "off";
  std::string options = "-k " + dir_ + " -p " + std::to_string(port_) + " -c listen_addresses= -c fsync=" + fsync +
                        " -c full_page_writes=" + fsync + " -c max_connections=300";
  return run_as_owner({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-l", dir_ + "/server.log", "-w", "-t", "60", "-o",
                       options, "start"},
                      dir_ + "/pg_ctl.log");
}

bool PgCluster::stop() {
  return run_as_owner({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "fast", "-w", "stop"}, dir_ + "/pg_ctl.log");
}

PgCluster* PgCluster::shared(std::string* why) {
  static std::once_flag once;
  static PgCluster* cluster = nullptr;
  static std::string failure;
  std::call_once(once, [] {
    auto* c = new PgCluster();
    if (c->init(&failure)) cluster = c;
  });
  if (!cluster && why) *why = failure;
  return cluster;
}

std::string PgCluster::url(const std::string& database) const {
  return "postgresql:///" + database + "?host=" + dir_ + "&port=" + std::to_string(port_) + "&user=postgres";
}

std::string PgCluster::create_database() {
  std::string name = str_cat("t", std::to_string(getpid()), "_", std::to_string(++databases_));
  PGconn* c = PQconnectdb(url("postgres").c_str());
  std::string error;
  if (PQstatus(c) != CONNECTION_OK) {
    error = PQerrorMessage(c);
  } else {
    PGresult* r = PQexec(c, ("CREATE DATABASE " + name + " TEMPLATE template0").c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) error = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(c);
  if (!error.empty()) {
    fprintf(stderr, "create database %s: %s\n", name.c_str(), error.c_str());
    return "";
  }
  return url(name);
}

}  // namespace paydomain::testing
