//! Peephole passes over emitted code: jump threading, fusing common instruction sequences
//! into one instruction, and removing what no run can reach.
//!
//! The fused forms are the corpus's commonest shapes: a two-argument builtin of an attribute
//! and a constant (`Left([sAMAccountName], 4)`, `BitAnd([userAccountControl], 2)`) or of a
//! computed value and a constant (`Left(Trim([info]), 448)`), a
//! comparison with a constant that decides a branch (`... = "AAD_" ||`), and a presence test
//! of an attribute that decides one (`IIF(IsPresent([mail]), ...)`). Each does exactly what
//! the sequence it replaces did, with the span of the one instruction of the sequence that
//! can fail (the call, or the comparison).

use super::{Instr, Program};
use crate::ir::BinOp;
use crate::vm::native::Native;

/// Runs every pass, in order.
pub(super) fn optimize(program: &mut Program) {
    thread_jumps(&mut program.code);
    compact(program);
    drop_conditions(program);
    compact(program);
    fuse(program);
    compact(program);
}

/// Where a jump to `t` really goes: through unconditional jumps, and through a `Bool(b)`
/// followed by a conditional jump (which then either always or never jumps). Both leave the
/// stack as the jump found it, so the jump can go straight to the end of the chain.
fn final_target(code: &[Instr], mut t: u32) -> u32 {
    for _ in 0..code.len() {
        let next = match (code.get(t as usize), code.get(t as usize + 1)) {
            (Some(Instr::Jump(u)), _) => *u,
            (Some(Instr::Bool(b)), Some(Instr::JumpIfTrue(u))) => {
                if *b {
                    *u
                } else {
                    t + 2
                }
            }
            (Some(Instr::Bool(b)), Some(Instr::JumpIfFalse(u))) => {
                if *b {
                    t + 2
                } else {
                    *u
                }
            }
            _ => return t,
        };
        if next == t {
            return t;
        }
        t = next;
    }
    t
}

/// Peephole: retargets jumps to the end of their chains, and turns `ToBool; Jump(e)` where
/// `e` is a conditional jump into that conditional jump (the two read a condition alike)
/// followed by a jump past `e`. Never removes instructions, so spans stay aligned.
fn thread_jumps(code: &mut [Instr]) {
    for pc in 0..code.len() {
        let fused = match (code.get(pc), code.get(pc + 1)) {
            (Some(Instr::ToBool), Some(Instr::Jump(e))) => match code.get(*e as usize) {
                Some(Instr::JumpIfTrue(x)) => Some((Instr::JumpIfTrue(*x), *e + 1)),
                Some(Instr::JumpIfFalse(x)) => Some((Instr::JumpIfFalse(*x), *e + 1)),
                _ => None,
            },
            _ => None,
        };
        if let Some((cond, after)) = fused {
            if let Some(i) = code.get_mut(pc) {
                *i = cond;
            }
            if let Some(i) = code.get_mut(pc + 1) {
                *i = Instr::Jump(after);
            }
        }
    }
    for pc in 0..code.len() {
        let target = match code.get(pc) {
            Some(Instr::Jump(t) | Instr::JumpIfTrue(t) | Instr::JumpIfFalse(t)) => *t,
            _ => continue,
        };
        let t = final_target(code, target);
        if let Some(Instr::Jump(u) | Instr::JumpIfTrue(u) | Instr::JumpIfFalse(u)) =
            code.get_mut(pc)
        {
            *u = t;
        }
    }
}

/// Every instruction some jump may continue at.
fn targets(code: &[Instr]) -> Vec<bool> {
    let mut is_target = vec![false; code.len() + 1];
    for instr in code {
        if let Some(slot) = target_of(instr).and_then(|t| is_target.get_mut(t as usize)) {
            *slot = true;
        }
    }
    is_target
}

/// Where `instr` may continue other than the next instruction.
fn target_of(instr: &Instr) -> Option<u32> {
    let mut copy = *instr;
    target_mut(&mut copy).map(|t| *t)
}

/// `target_of`, writable.
fn target_mut(instr: &mut Instr) -> Option<&mut u32> {
    match instr {
        Instr::Jump(t)
        | Instr::JumpIfFalse(t)
        | Instr::JumpIfTrue(t)
        | Instr::JumpIfConst { target: t, .. }
        | Instr::JumpIfCallAttr { target: t, .. }
        | Instr::IterNext { exit: t, .. } => Some(t),
        _ => None,
    }
}

/// A conditional jump's target and the truth it jumps on.
fn branch(instr: Option<&Instr>) -> Option<(u32, bool)> {
    match instr {
        Some(Instr::JumpIfTrue(t)) => Some((*t, true)),
        Some(Instr::JumpIfFalse(t)) => Some((*t, false)),
        _ => None,
    }
}

/// Whether builtin `func` of `program` always returns a Boolean, so a condition reads its
/// result without error.
fn is_test(program: &Program, func: u16) -> bool {
    matches!(
        program.natives.get(func as usize),
        Some(Some(
            Native::IsPresent
                | Native::IsNullOrEmpty
                | Native::IsNull
                | Native::IsEmpty
                | Native::IsString
        ))
    )
}

/// Drops a `ToBool` just before a conditional jump, which reads a condition as `ToBool`
/// does; the jump takes the `ToBool`'s span for a condition that cannot be read, unless
/// other code jumps to it (and expects its own span).
fn drop_conditions(program: &mut Program) {
    let is_target = targets(&program.code);
    for pc in 0..program.code.len() {
        let redundant = matches!(program.code.get(pc), Some(Instr::ToBool))
            && branch(program.code.get(pc + 1)).is_some();
        let (own, next) = (
            program.spans.get(pc).copied(),
            program.spans.get(pc + 1).copied(),
        );
        let entered = is_target.get(pc + 1).copied().unwrap_or(true);
        if !redundant || (entered && own != next) {
            continue;
        }
        if let (Some(span), Some(next)) = (own, program.spans.get_mut(pc + 1)) {
            *next = span;
        }
        if let Some(instr) = program.code.get_mut(pc) {
            *instr = Instr::Jump(index(pc + 1));
        }
    }
}

/// Fuses sequences no jump enters in the middle of: the first instruction becomes the fused
/// one and the rest become jumps to the instruction after the sequence, which [`compact`]
/// removes.
fn fuse(program: &mut Program) {
    let is_target = targets(&program.code);
    let entered = |pc: usize| is_target.get(pc).copied().unwrap_or(true);
    let mut pc = 0;
    while pc < program.code.len() {
        let code = &program.code;
        // The fused instruction, how many it replaces, and which of them can fail.
        let (fused, len, fails) = match (code.get(pc), code.get(pc + 1), code.get(pc + 2)) {
            (
                Some(Instr::Attr(slot)),
                Some(Instr::Const(k)),
                Some(Instr::Call { func, argc: 2 }),
            ) if !entered(pc + 1) && !entered(pc + 2) => {
                let (func, slot, k) = (*func, *slot, *k);
                (Some(Instr::CallAttrConst { func, slot, k }), 3, 2)
            }
            (Some(Instr::Const(k)), Some(Instr::Call { func, argc: 2 }), _) if !entered(pc + 1) => {
                let (func, k) = (*func, *k);
                (Some(Instr::CallConst { func, k }), 2, 1)
            }
            (Some(Instr::BinaryConst(op, k)), next, _)
                if is_comparison(*op) && !entered(pc + 1) =>
            {
                let fused = branch(next).map(|(target, when)| Instr::JumpIfConst {
                    op: *op,
                    k: *k,
                    target,
                    when,
                });
                (fused, 2, 0)
            }
            (Some(Instr::CallAttr { func, slot }), next, _)
                if is_test(program, *func) && !entered(pc + 1) =>
            {
                let fused = branch(next).map(|(target, when)| Instr::JumpIfCallAttr {
                    func: *func,
                    slot: *slot,
                    target,
                    when,
                });
                (fused, 2, 0)
            }
            _ => (None, 1, 0),
        };
        match fused {
            Some(fused) => {
                let after = index(pc + len);
                let span = program.spans.get(pc + fails).copied();
                if let (Some(span), Some(first)) = (span, program.spans.get_mut(pc)) {
                    *first = span;
                }
                for (i, instr) in program.code.iter_mut().skip(pc).take(len).enumerate() {
                    *instr = if i == 0 { fused } else { Instr::Jump(after) };
                }
                pc += len;
            }
            None => pc += 1,
        }
    }
}

fn index(pc: usize) -> u32 {
    u32::try_from(pc).unwrap_or(u32::MAX)
}

/// Whether `op` compares (its result is a Boolean or null, which a condition reads
/// without error).
fn is_comparison(op: BinOp) -> bool {
    matches!(
        op,
        BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge
    )
}

/// Removes instructions no run reaches and jumps to the instruction that follows anyway,
/// renumbering jump targets and keeping each remaining instruction's span.
fn compact(program: &mut Program) {
    let code = &program.code;
    let n = code.len();
    // Reachable from the start, following fall-through and jumps.
    let mut keep = vec![false; n];
    let mut work = vec![0usize];
    while let Some(pc) = work.pop() {
        let Some(seen) = keep.get_mut(pc) else {
            continue;
        };
        if *seen {
            continue;
        }
        *seen = true;
        let Some(instr) = code.get(pc) else { continue };
        if let Some(t) = target_of(instr) {
            work.push(t as usize);
        }
        if !matches!(instr, Instr::Jump(_)) {
            work.push(pc + 1);
        }
    }
    // A forward jump over nothing but removed instructions does nothing. Going backward,
    // everything after an instruction is settled when it is reached, so one pass finds
    // them all: `first_kept[pc]` is the first kept instruction at or after `pc`.
    let mut first_kept = vec![n; n + 1];
    for pc in (0..n).rev() {
        let kept = keep.get(pc).copied().unwrap_or(false);
        let idle = match code.get(pc) {
            Some(Instr::Jump(t)) if *t as usize > pc => {
                first_kept.get(pc + 1) == first_kept.get(*t as usize)
            }
            _ => false,
        };
        if idle && let Some(k) = keep.get_mut(pc) {
            *k = false;
        }
        let after = first_kept.get(pc + 1).copied().unwrap_or(n);
        if let Some(f) = first_kept.get_mut(pc) {
            *f = if kept && !idle { pc } else { after };
        }
    }
    // New positions: a removed instruction's position is that of the next kept one.
    let mut position = Vec::with_capacity(n + 1);
    let mut next = 0u32;
    for &k in &keep {
        position.push(next);
        next += u32::from(k);
    }
    position.push(next);
    let mut kept_code = Vec::with_capacity(next as usize);
    let mut kept_spans = Vec::with_capacity(next as usize);
    for ((instr, span), k) in program.code.iter().zip(&program.spans).zip(&keep) {
        if *k {
            let mut instr = *instr;
            if let Some(t) = target_mut(&mut instr) {
                *t = position.get(*t as usize).copied().unwrap_or(next);
            }
            kept_code.push(instr);
            kept_spans.push(*span);
        }
    }
    program.code = kept_code;
    program.spans = kept_spans;
}
