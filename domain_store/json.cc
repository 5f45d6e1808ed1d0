#include "domain_store/json.h"

#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "dsl/json.h"

namespace paydomain::store {

using nlohmann::json;

std::string format_time(int64_t time_ms) {
  int64_t secs = time_ms / 1000, ms = time_ms % 1000;
  if (ms < 0) secs -= 1, ms += 1000;  // before 1970: floor, so ms stays 0..999
  std::time_t t = static_cast<std::time_t>(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(ms));
  return buf;
}

json to_json(const ObjectKey& key) { return json{{"kind", dsl::to_string(key.kind)}, {"id", key.id}}; }

json to_json(const RevisionInfo& r) {
  json j{{"revision", r.rev},    {"base", r.base},
         {"author", r.author},   {"message", r.message},
         {"time_ms", r.time_ms}, {"time", format_time(r.time_ms)},
         {"op_count", r.op_count}};
  if (r.idempotency_key) j["idempotency_key"] = *r.idempotency_key;
  if (r.failing_tests_allowed) j["failing_tests_allowed"] = *r.failing_tests_allowed;
  return j;
}

json to_json(const CommitResult& r) {
  json j = to_json(r.revision);
  j["rebased"] = r.rebased;
  j["replayed"] = r.replayed;
  j["warnings"] = dsl::to_json(r.warnings);
  return j;
}

json to_json(const StoredObject& o) {
  json j = to_json(o.key);
  j["text"] = o.text;
  j["path"] = o.path;
  j["since"] = o.since;
  return j;
}

json to_json(const OpRecord& o) {
  json j = to_json(o.key);
  j["op"] = to_string(o.type);
  return j;
}

json to_json(const ObjectHistoryEntry& e) {
  json j = to_json(e.revision);
  j["op"] = to_string(e.type);
  return j;
}

json to_json(const Error& e, std::string_view path) {
  json j{{"error", {{"code", to_string(e.code)}, {"message", e.message}, {"path", path}}}};
  if (!e.conflicts.empty()) {
    json cs = json::array();
    for (const auto& c : e.conflicts) {
      json cj = to_json(c.key);
      cj["revisions"] = c.revisions;
      cs.push_back(cj);
    }
    j["conflicts"] = cs;
  }
  if (!e.diagnostics.empty()) j["diagnostics"] = dsl::to_json(e.diagnostics);
  if (!e.failing_tests.empty()) {
    json ts = json::array();
    for (const auto& t : e.failing_tests) ts.push_back(json{{"name", t.name}, {"failures", t.failures}});
    j["failing_tests"] = ts;
  }
  return j;
}

json to_json(const RevisionDiff& d) {
  json objs = json::array();
  for (const auto& o : d.objects) {
    json j = to_json(o.key);
    j["change"] = to_string(o.change);
    if (o.before) j["before_path"] = o.before->path;
    if (o.after) j["after_path"] = o.after->path;
    if (o.change == ObjectDiff::Change::Changed || o.change == ObjectDiff::Change::Inherited) {
      json parts = json::array();
      for (const auto& p : o.parts) {
        json pj{{"path", p.path}, {"brief", p.brief()}};
        pj["before"] = p.before ? json(*p.before) : json(nullptr);
        pj["after"] = p.after ? json(*p.after) : json(nullptr);
        if (!p.from.empty()) pj["from"] = p.from;
        parts.push_back(pj);
      }
      j["parts"] = parts;
    }
    if (!o.unified.empty()) j["unified"] = o.unified;
    objs.push_back(j);
  }
  return json{{"from", d.from}, {"to", d.to}, {"objects", objs}};
}

json to_json(const FsckReport& r) {
  return json{{"ok", r.ok()},
              {"head", r.head},
              {"revisions", r.revisions},
              {"objects", r.objects},
              {"revisions_checked", r.revisions_checked},
              {"artifacts_checked", r.artifacts_checked},
              {"artifacts_other_format", r.artifacts_other_format},
              {"problems", r.problems},
              {"repaired", r.repaired}};
}

}  // namespace paydomain::store
