#include "projection.hpp"

#include "citytwin/server/ngsi_error.hpp"

namespace citytwin::server {

namespace {

[[noreturn]] void badProjection(const std::string& which, const std::string& text, const std::string& why) {
  throw NgsiError(NgsiErrorType::BadRequestData, which + " '" + text + "': " + why);
}

bool isNameChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u != 0x7f && c != ',' && c != '|' && c != '{' && c != '}' && c != ';' && c != '=' &&
         c != '"' && c != '\'' && c != '(' && c != ')' && c != '<' && c != '>';
}

// Recursive descent over `members := member (("," | "|") member)*`, `member := name ("{" members "}")?`.
class Parser {
 public:
  Parser(const std::string& which, const std::string& text, int maxDepth)
      : which_(which), text_(text), maxDepth_(maxDepth) {}

  std::set<std::string> topLevel() {
    std::set<std::string> names;
    members(0, &names);
    if (at_ != text_.size()) fail("unexpected '" + std::string(1, text_[at_]) + "'");
    return names;
  }

 private:
  void members(int depth, std::set<std::string>* names) {
    for (;;) {
      member(depth, names);
      if (at_ < text_.size() && (text_[at_] == ',' || text_[at_] == '|')) {
        ++at_;
        continue;
      }
      return;
    }
  }
  void member(int depth, std::set<std::string>* names) {
    const std::size_t start = at_;
    while (at_ < text_.size() && isNameChar(text_[at_])) ++at_;
    if (at_ == start)
      fail(at_ < text_.size() ? "a member cannot start with '" + std::string(1, text_[at_]) + "'"
                              : "a member is missing");
    if (names) names->insert(text_.substr(start, at_ - start));
    if (at_ < text_.size() && text_[at_] == '{') {
      if (depth + 1 > maxDepth_) fail("linked-entity members need a join deep enough (joinLevel)");
      ++at_;
      members(depth + 1, nullptr);
      if (at_ >= text_.size() || text_[at_] != '}') fail("unclosed '{'");
      ++at_;
    }
  }
  [[noreturn]] void fail(const std::string& why) { badProjection(which_, text_, why); }

  const std::string& which_;
  const std::string& text_;
  int maxDepth_;
  std::size_t at_ = 0;
};

}  // namespace

void Projection::apply(nlohmann::json& entity) const {
  if (!entity.is_object()) return;
  for (auto it = entity.begin(); it != entity.end();) {
    const std::string& key = it.key();
    const bool drop = key != "@context" && ((!pick.empty() && !pick.contains(key)) || omit.contains(key));
    it = drop ? entity.erase(it) : std::next(it);
  }
}

Projection parseProjection(const std::string& pick, const std::string& omit, int maxDepth) {
  Projection projection;
  if (!pick.empty()) projection.pick = Parser("pick", pick, maxDepth).topLevel();
  if (!omit.empty()) projection.omit = Parser("omit", omit, maxDepth).topLevel();
  for (const auto& name : projection.pick) {
    if (projection.omit.contains(name)) badProjection("pick", pick, "'" + name + "' is also omitted");
  }
  return projection;
}

}  // namespace citytwin::server
