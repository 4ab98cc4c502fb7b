#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace citytwin {

// The candidate closest to `word` by edit distance (insertions, deletions, substitutions, transpositions),
// when it is close enough to be a likely misspelling (at most 2 edits, and fewer than a third of the word's
// length plus one); empty otherwise. Ties go to the first candidate, so the answer is deterministic.
std::string closestSpelling(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace citytwin
