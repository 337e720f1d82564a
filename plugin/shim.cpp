// Registration with clang and opt, remarks and diagnostics: the parts of the
// plugin that need LLVM's and clang's C++ API. The analysis itself is C on
// LLVM-C (run.c, asp_run, and what it calls).

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSet.h"
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
#include "clang/AST/ASTContext.h"
#include "clang/AST/Attr.h"
#include "clang/AST/DeclCXX.h"
#include "clang/AST/DeclFriend.h"
#include "clang/AST/DeclTemplate.h"
#include "clang/AST/Mangle.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#endif

#include <dlfcn.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <chrono>
#include <string>
#include <unordered_set>
#include <vector>

#include <accelstrat/version.h>

#include "location.h"
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
    Loc = DiagnosticLocation(
        DebugLoc(DILocation::get(M.getContext(), Line, Col, SP)));
  OptimizationRemarkAnalysis R("accelstrat",
                               FnRef ? "NearDuplicate" : "Fallback", Loc,
                               &F->getEntryBlock());
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

int remarksWanted(void *Ctx) {
  LLVMContext &C = static_cast<Host *>(Ctx)->M.getContext();
  return C.getLLVMRemarkStreamer() || C.getMainRemarkStreamer() ||
         C.getDiagHandlerPtr()->isAnalysisRemarkEnabled("accelstrat");
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
    asp_host Callbacks = {&H,          emitRemark,   emitError,
                          emitWarning, demangleName, remarksWanted};
    // The IR is never changed, but for the index global of index=object,
    // which nothing uses.
    if (asp_run(wrap(&M), &Opts, &Callbacks) == 1)
      return PreservedAnalyses::none();
    return PreservedAnalyses::all();
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

// Where the frontend saw each function defined, by IR name: filled from the
// AST of the TU being compiled, read by its pass later in the same process
// (clang's driver runs one TU after another in one process, so each TU
// starts it afresh). Empty under opt and -fpass-plugin= alone.
struct SiteTable {
  std::unordered_set<std::string> Files; // one copy of each name (stable)
  StringMap<asp_decl_site> ByName;       // by key(), below
  StringSet<> Ambiguous;                 // keys of two sites: no answer

  // Itanium names unnamed internal entities (a lambda in a non-inline
  // function: "$_0") by the order in which a mangler first meets them;
  // CodeGen's order is not ours, so the number is left out of the key and a
  // key that two sites share answers nothing rather than a wrong site.
  static std::string key(StringRef Name) {
    if (!Name.contains("$_")) return Name.str();
    std::string Key;
    for (size_t I = 0; I < Name.size(); I++) {
      Key += Name[I];
      if (Name[I] == '$' && I + 1 < Name.size() && Name[I + 1] == '_') {
        Key += '_';
        for (I += 2; I < Name.size() && isDigit(Name[I]); I++) {
        }
        I--;
      }
    }
    return Key;
  }

  void add(StringRef Name, const asp_decl_site &Site) {
    std::string Key = key(Name);
    auto [It, Inserted] = ByName.try_emplace(Key, Site);
    const asp_decl_site &Old = It->second;
    if (!Inserted &&
        (Old.file != Site.file || Old.line != Site.line || Old.col != Site.col))
      Ambiguous.insert(Key);
  }

  void clear() {
    ByName.clear();
    Ambiguous.clear();
    Files.clear();
  }
} Sites;

// The time SiteCollector took on the TU, for the record's totals: wall
// clock and the process's CPU time.
uint64_t FrontendNs = 0, FrontendCpuNs = 0;
// The object's path as clang was given it (-o): what keys the TU's index
// record (index=). Empty under opt and -fpass-plugin= alone.
std::string OutputFile;

} // namespace

extern "C" const char *asp_frontend_output(void) { return OutputFile.c_str(); }

extern "C" uint64_t asp_frontend_ns(void) { return FrontendNs; }
extern "C" uint64_t asp_frontend_cpu_ns(void) { return FrontendCpuNs; }

extern "C" int asp_frontend_site(const char *Name, size_t Len,
                                 asp_decl_site *Out) {
  StringRef N(Name, Len);
  std::string Key = SiteTable::key(N);
  auto It = Sites.ByName.find(Key);
  if (It == Sites.ByName.end() || Sites.Ambiguous.contains(Key)) return -1;
  *Out = It->second;
  return 0;
}

namespace {

#ifdef ACCELSTRAT_WITH_CLANG
// Records every function definition of a TU in Sites: the ones written out,
// template instantiations and members of class template specializations,
// implicit members clang defined, lambdas and local classes. It walks
// declaration contexts only (a lambda's class and a local class are
// declarations of the function they appear in); statements never hold a
// definition that no context does, so they are not visited.
class SiteCollector {
  clang::SourceManager &SM;
  std::unique_ptr<clang::MangleContext> Mangle;
  DenseSet<const clang::Decl *> Seen;

  // The location clang's diagnostics print for Loc: where its macro
  // expands, or where a name passed to a macro is written.
  clang::PresumedLoc presumed(clang::SourceLocation Loc) const {
    return SM.getPresumedLoc(SM.getFileLoc(Loc));
  }

  // A hash of where the template of FD is, equal across its instantiations
  // and across TUs that name its file alike; 0 when FD was not instantiated.
  uint64_t templateOrigin(const clang::FunctionDecl *FD) const {
    const clang::FunctionDecl *Pattern = FD->getTemplateInstantiationPattern();
    if (!Pattern) return 0;
    clang::PresumedLoc P = presumed(Pattern->getLocation());
    if (P.isInvalid()) return 0;
    uint64_t H = 0xcbf29ce484222325ull;
    std::string Key = (Twine(P.getFilename()) + ":" + Twine(P.getLine()) + ":" +
                       Twine(P.getColumn()))
                          .str();
    for (unsigned char C : Key) H = (H ^ C) * 0x100000001b3ull;
    return H ? H : 1;
  }

  void add(clang::GlobalDecl GD, const asp_decl_site &Site) {
    SmallString<256> Name;
    raw_svector_ostream OS(Name);
    Mangle->mangleName(GD, OS);
    Sites.add(Name, Site);
  }

  void record(const clang::FunctionDecl *FD) {
    if (!FD->doesThisDeclarationHaveABody() || FD->isDependentContext()) return;
    clang::SourceLocation Loc = SM.getFileLoc(FD->getLocation());
    clang::PresumedLoc P = presumed(Loc);
    if (P.isInvalid()) return;
    const std::string &File = *Sites.Files.insert(P.getFilename()).first;
    asp_decl_site Site = {File.data(),
                          File.size(),
                          P.getLine(),
                          P.getColumn(),
                          SM.isInSystemHeader(Loc),
                          templateOrigin(FD)};
    // Constructors and destructors are emitted once per variant, each with
    // a name of its own (a deleting destructor only when it is virtual).
    if (auto *CD = dyn_cast<clang::CXXConstructorDecl>(FD)) {
      add(clang::GlobalDecl(CD, clang::Ctor_Complete), Site);
      add(clang::GlobalDecl(CD, clang::Ctor_Base), Site);
    } else if (auto *DD = dyn_cast<clang::CXXDestructorDecl>(FD)) {
      if (DD->isVirtual())
        add(clang::GlobalDecl(DD, clang::Dtor_Deleting), Site);
      add(clang::GlobalDecl(DD, clang::Dtor_Complete), Site);
      add(clang::GlobalDecl(DD, clang::Dtor_Base), Site);
    } else if (FD->hasAttr<clang::CUDAGlobalAttr>()) {
      add(clang::GlobalDecl(FD, clang::KernelReferenceKind::Kernel), Site);
    } else if (Mangle->shouldMangleDeclName(FD)) {
      add(clang::GlobalDecl(FD), Site);
    } else if (const clang::IdentifierInfo *II = FD->getIdentifier()) {
      Sites.add(II->getName(), Site); // C: the plain name
    }
  }

  void visit(const clang::Decl *D) {
    if (!Seen.insert(D).second) return;
    if (auto *F = dyn_cast<clang::FriendDecl>(D)) {
      if (const clang::NamedDecl *ND = F->getFriendDecl()) visit(ND);
      return;
    }
    // Templates themselves are never emitted; their specializations are.
    if (auto *FT = dyn_cast<clang::FunctionTemplateDecl>(D)) {
      for (const clang::FunctionDecl *S : FT->specializations()) visit(S);
      return;
    }
    if (auto *CT = dyn_cast<clang::ClassTemplateDecl>(D)) {
      for (const clang::ClassTemplateSpecializationDecl *S :
           CT->specializations())
        visit(S);
      return;
    }
    if (auto *FD = dyn_cast<clang::FunctionDecl>(D)) record(FD);
    auto *DC = dyn_cast<clang::DeclContext>(D);
    if (DC && !DC->isDependentContext())
      for (const clang::Decl *Child : DC->decls()) visit(Child);
  }

public:
  explicit SiteCollector(clang::ASTContext &Ctx)
      : SM(Ctx.getSourceManager()), Mangle(Ctx.createMangleContext()) {}
  void run(const clang::TranslationUnitDecl *TU) { visit(TU); }
};

class SiteConsumer : public clang::ASTConsumer {
public:
  void HandleTranslationUnit(clang::ASTContext &Ctx) override {
    // The main action's code generation and then the pass run after this
    // (a plugin added before the main action is called first).
    auto Start = std::chrono::steady_clock::now();
    uint64_t StartCpu = asp_process_cpu_ns();
    SiteCollector(Ctx).run(Ctx.getTranslationUnitDecl());
    FrontendNs = std::chrono::duration_cast<std::chrono::nanoseconds>(
                     std::chrono::steady_clock::now() - Start)
                     .count();
    FrontendCpuNs = asp_process_cpu_ns() - StartCpu;
  }
};

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
    Sites.clear(); // a new TU: the last one's functions are gone
    FrontendNs = FrontendCpuNs = 0;
    return std::make_unique<SiteConsumer>();
  }

  bool ParseArgs(const clang::CompilerInstance &CCI,
                 const std::vector<std::string> &Args) override {
    // The frontend hands over a const instance, but plugins that add passes
    // must change its code generation options.
    auto &CI = const_cast<clang::CompilerInstance &>(CCI);
    FrontendArgs = Args;
    OutputFile = CI.getFrontendOpts().OutputFile;
    asp_options Opts;
    std::string Err = resolve(Args, Opts);
    if (!Err.empty()) {
      clang::DiagnosticsEngine &D = CI.getDiagnostics();
      D.Report(
          D.getCustomDiagID(clang::DiagnosticsEngine::Error, "accelstrat: %0"))
          << Err;
      return true;
    }
    // Locations come from the AST (SiteConsumer), never from turning on
    // location tracking: tracking changes code generation (bzip2's
    // blocksort.c at -O2 comes out 48 bytes smaller with it).
    clang::CodeGenOptions &CGO = CI.getCodeGenOpts();
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

extern "C" LLVM_ATTRIBUTE_WEAK
    __attribute__((visibility("default"))) ::llvm::PassPluginLibraryInfo
    llvmGetPassPluginInfo() {
  return {LLVM_PLUGIN_API_VERSION, "accelstrat", AS_VERSION_STRING,
          registerCallbacks};
}
