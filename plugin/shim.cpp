// Registration with clang and opt, remarks and diagnostics: the parts of the
// plugin that need LLVM's and clang's C++ API. The analysis itself is C on
// LLVM-C (pass.c and what it calls).

#include "llvm/Demangle/Demangle.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/DiagnosticPrinter.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/PassManager.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Passes/PassPlugin.h"
#include "llvm/Support/raw_ostream.h"

#ifdef ACCELSTRAT_WITH_CLANG
#include "clang/AST/ASTConsumer.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#endif

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <vector>

#include "plugin.h"

using namespace llvm;

namespace {

// Arguments given on clang's command line (-fplugin-arg-accelstrat-K=V).
std::vector<std::string> FrontendArgs;
bool HelpPrinted = false;

std::vector<asp_kv> splitArgs(std::vector<std::string> &Args) {
  std::vector<asp_kv> KVs;
  for (std::string &A : Args) KVs.push_back(asp_kv_split(&A[0]));
  return KVs;
}

// Resolves defaults, environment and then Args (copied, since splitting
// writes into them). Returns the error message, empty on success.
std::string resolve(std::vector<std::string> Args, asp_options &Opts) {
  std::vector<asp_kv> KVs = splitArgs(Args);
  char Err[1024];
  if (asp_options_resolve(&Opts, KVs.data(), KVs.size(), Err, sizeof Err) < 0)
    return Err;
  if (Opts.help && !HelpPrinted) {
    asp_options_print_help(stderr);
    HelpPrinted = true;
  }
  return "";
}

struct Host {
  Module &M;
};

void emitRemark(void *Ctx, LLVMValueRef FnRef, unsigned Line, unsigned Col,
                const char *Msg) {
  Module &M = static_cast<Host *>(Ctx)->M;
  Function *F = FnRef ? unwrap<Function>(FnRef) : nullptr;
  if (!F) {
    // A note about the whole TU hangs on its first function with a body.
    for (Function &G : M)
      if (!G.isDeclaration()) {
        F = &G;
        break;
      }
    if (!F) return;
  }
  DiagnosticLocation Loc;
  if (DISubprogram *SP = FnRef ? F->getSubprogram() : nullptr; SP && Line)
    Loc = DiagnosticLocation(DebugLoc(DILocation::get(M.getContext(), Line, Col, SP)));
  OptimizationRemarkAnalysis R("accelstrat", FnRef ? "NearDuplicate" : "Fallback",
                               Loc, &F->getEntryBlock());
  R << Msg;
  M.getContext().diagnose(R);
}

// A diagnostic of the plugin's own kind. An error: clang shows it as
// "error: MSG" and fails the compile; opt prints it and exits non-zero. A
// warning: "warning: MSG [-Wbackend-plugin]", and the compile goes on.
class AccelstratDiagnostic : public DiagnosticInfo {
  const std::string &Msg;

public:
  AccelstratDiagnostic(const std::string &Msg, DiagnosticSeverity Severity)
      : DiagnosticInfo(kind(), Severity), Msg(Msg) {}
  static int kind() {
    static const int K = getNextAvailablePluginDiagnosticKind();
    return K;
  }
  void print(DiagnosticPrinter &DP) const override { DP << Msg; }
};

void emitError(void *Ctx, const char *Msg) {
  Module &M = static_cast<Host *>(Ctx)->M;
  std::string Text = std::string("accelstrat: ") + Msg;
  M.getContext().diagnose(AccelstratDiagnostic(Text, DS_Error));
}

void emitWarning(void *Ctx, const char *Msg) {
  Module &M = static_cast<Host *>(Ctx)->M;
  std::string Text = std::string("accelstrat: ") + Msg;
  M.getContext().diagnose(AccelstratDiagnostic(Text, DS_Warning));
}

char *demangleName(const char *Name, size_t Len) {
  std::string D = llvm::demangle(std::string_view(Name, Len));
  return strdup(D.c_str());
}

enum class Stage { Early, Late, Explicit };

struct AccelstratPass : PassInfoMixin<AccelstratPass> {
  Stage At;
  std::vector<std::string> Params; // from opt's accelstrat<...>

  AccelstratPass(Stage At, std::vector<std::string> Params = {})
      : At(At), Params(std::move(Params)) {}

  PreservedAnalyses run(Module &M, ModuleAnalysisManager &) {
    std::vector<std::string> Args = FrontendArgs;
    Args.insert(Args.end(), Params.begin(), Params.end());
    asp_options Opts;
    std::string Err = resolve(Args, Opts);
    if (!Err.empty()) {
      // Both pipeline positions hold the pass; say it once.
      if (At != Stage::Late) {
        Host H{M};
        emitError(&H, Err.c_str());
      }
      return PreservedAnalyses::all();
    }
    if ((At == Stage::Early && Opts.stage != ASP_STAGE_EARLY) ||
        (At == Stage::Late && Opts.stage != ASP_STAGE_LATE))
      return PreservedAnalyses::all();
    Host H{M};
    asp_host Callbacks = {&H, emitRemark, emitError, emitWarning, demangleName};
    asp_run(wrap(&M), &Opts, &Callbacks);
    return PreservedAnalyses::all(); // the IR is never changed
  }

  static bool isRequired() { return true; } // run at -O0 too
};

// accelstrat<key=value;key2=value2>
bool parsePipelineName(StringRef Name, std::vector<std::string> &Params) {
  if (Name == "accelstrat") return true;
  if (!Name.consume_front("accelstrat<") || !Name.consume_back(">"))
    return false;
  SmallVector<StringRef, 8> Parts;
  Name.split(Parts, ';', -1, false);
  for (StringRef P : Parts) Params.push_back(P.str());
  return true;
}

void registerCallbacks(PassBuilder &PB) {
  PB.registerPipelineStartEPCallback(
      [](ModulePassManager &MPM, OptimizationLevel) {
        MPM.addPass(AccelstratPass(Stage::Early));
      });
  PB.registerOptimizerLastEPCallback(
      [](ModulePassManager &MPM, OptimizationLevel) {
        MPM.addPass(AccelstratPass(Stage::Late));
      });
  PB.registerPipelineParsingCallback(
      [](StringRef Name, ModulePassManager &MPM,
         ArrayRef<PassBuilder::PipelineElement>) {
        std::vector<std::string> Params;
        if (!parsePipelineName(Name, Params)) return false;
        MPM.addPass(AccelstratPass(Stage::Explicit, std::move(Params)));
        return true;
      });
}

#ifdef ACCELSTRAT_WITH_CLANG
// True when -fpass-plugin= also names this library: it then registers the
// pass itself, and registering from the frontend too would run it twice.
bool loadedAsPassPlugin(const clang::CodeGenOptions &CGO) {
  Dl_info Self;
  char SelfPath[PATH_MAX], Path[PATH_MAX];
  if (!dladdr(reinterpret_cast<void *>(&registerCallbacks), &Self) ||
      !realpath(Self.dli_fname, SelfPath))
    return false;
  for (const std::string &P : CGO.PassPlugins)
    if (realpath(P.c_str(), Path) && strcmp(Path, SelfPath) == 0) return true;
  return false;
}

class AccelstratAction : public clang::PluginASTAction {
protected:
  std::unique_ptr<clang::ASTConsumer>
  CreateASTConsumer(clang::CompilerInstance &, StringRef) override {
    return std::make_unique<clang::ASTConsumer>();
  }

  bool ParseArgs(const clang::CompilerInstance &CCI,
                 const std::vector<std::string> &Args) override {
    // The frontend hands over a const instance, but plugins that add passes
    // must change its code generation options.
    auto &CI = const_cast<clang::CompilerInstance &>(CCI);
    FrontendArgs = Args;
    asp_options Opts;
    std::string Err = resolve(Args, Opts);
    if (!Err.empty()) {
      clang::DiagnosticsEngine &D = CI.getDiagnostics();
      D.Report(D.getCustomDiagID(clang::DiagnosticsEngine::Error,
                                 "accelstrat: %0"))
          << Err;
      return true;
    }
    clang::CodeGenOptions &CGO = CI.getCodeGenOpts();
    // Locations for the report and metrics without emitting debug info, as
    // -Rpass does for remarks (clang turns it on itself for -Rpass* and
    // optimisation records). Only then: tracking costs about 8% of a compile.
    if ((Opts.report[0] || Opts.metrics[0]) &&
        CGO.getDebugInfo() == codegenoptions::NoDebugInfo)
      CGO.setDebugInfo(codegenoptions::LocTrackingOnly);
    if (!loadedAsPassPlugin(CGO))
      CGO.PassBuilderCallbacks.push_back(registerCallbacks);
    return true;
  }

  ActionType getActionType() override { return AddBeforeMainAction; }
};

clang::FrontendPluginRegistry::Add<AccelstratAction>
    Registration("accelstrat", "find near-duplicate functions");
#endif

} // namespace

extern "C" LLVM_ATTRIBUTE_WEAK __attribute__((visibility("default")))
::llvm::PassPluginLibraryInfo llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "accelstrat", "0.1.0", registerCallbacks};
}
