#pragma once

namespace citytwin {

// Whether human-oriented feedback (progress bars, status lines) may be written to stderr.
// It is off when stderr is not a terminal, when the CI environment variable is set, and after
// setMachineReadableOutput(true) (the CLI's --json), so scripts and CI logs stay clean.
bool interactiveFeedbackEnabled();
void setMachineReadableOutput(bool enabled);

}  // namespace citytwin
