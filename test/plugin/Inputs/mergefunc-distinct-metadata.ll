; Intrinsic calls with a distinct metadata node keep a function out of
; mergefunc (hasDistinctMetadataIntrinsic), wherever the call is.
declare i1 @llvm.type.test(ptr, metadata)
declare i64 @llvm.read_volatile_register.i64(metadata)

; CFI type tests for function-local types: distinct nodes.
define i1 @cfi_local_a(ptr %p) {
  %t = call i1 @llvm.type.test(ptr %p, metadata !0)
  ret i1 %t
}

define i1 @cfi_local_b(ptr %p) {
  %t = call i1 @llvm.type.test(ptr %p, metadata !1)
  ret i1 %t
}

; Equal to both above as mergefunc compares them, but admitted: a uniqued
; node. Its twin below is merged with it.
define i1 @cfi_named_a(ptr %p) {
  %t = call i1 @llvm.type.test(ptr %p, metadata !2)
  ret i1 %t
}

define i1 @cfi_named_b(ptr %p) {
  %t = call i1 @llvm.type.test(ptr %p, metadata !2)
  ret i1 %t
}

define i64 @sp_distinct(i64 %x) {
  %r = call i64 @llvm.read_volatile_register.i64(metadata !3)
  %s = add i64 %r, %x
  ret i64 %s
}

define i64 @sp_distinct_twin(i64 %x) {
  %r = call i64 @llvm.read_volatile_register.i64(metadata !3)
  %s = add i64 %r, %x
  ret i64 %s
}

; Only an unreachable block calls the intrinsic: still not admitted.
define i1 @dead_test_a(ptr %p) {
entry:
  ret i1 true
dead:
  %t = call i1 @llvm.type.test(ptr %p, metadata !0)
  ret i1 %t
}

define i1 @dead_test_b(ptr %p) {
entry:
  ret i1 true
dead:
  %t = call i1 @llvm.type.test(ptr %p, metadata !1)
  ret i1 %t
}

; Callers of the functions it never merges stay apart too.
define i1 @call_local_a(ptr %p) {
  %t = call i1 @cfi_local_a(ptr %p)
  %u = xor i1 %t, true
  ret i1 %u
}

define i1 @call_local_b(ptr %p) {
  %t = call i1 @cfi_local_b(ptr %p)
  %u = xor i1 %t, true
  ret i1 %u
}

!0 = distinct !{}
!1 = distinct !{}
!2 = !{!"_ZTS1S"}
!3 = distinct !{!"sp"}
