/**
 * Streamed OpenAI tool calls, collected until the choice finishes and then written as whole
 * Anthropic tool_use blocks: calls that arrive interleaved or split mid-token, and arguments
 * that are not valid JSON, never reach the client as a broken block.
 */
import { num, obj } from "../json_shape.ts";
import type { AnthropicEventWriter } from "./anthropic_event_writer.ts";
import { parseToolArguments, thoughtSignatureOf, toolId } from "./openai_fields.ts";

interface ToolCallState {
  id: string;
  name: string;
  args: string;
  /** Gemini's thought signature (`extra_content.google.thought_signature`). */
  signature?: string;
}

/** The tool calls of one streamed choice. */
export class ToolCallBuffer {
  /** Whether the calls were written (later ones have nowhere to go). */
  flushed = false;
  /** How many tool_use blocks were written. */
  emitted = 0;
  /** The written calls: the tool_use id and Gemini's thought signature, in order. */
  written: { id: string; signature?: string }[] = [];
  #calls = new Map<number, ToolCallState>();
  /** Upstream tool-call index -> the slot its latest call occupies. */
  #slotOf = new Map<number, number>();

  /** Adds the entries of a delta's `tool_calls` (nothing once the calls were written). */
  addAll(list: unknown): void {
    if (!Array.isArray(list)) return;
    for (let position = 0; position < list.length; position++) {
      const call = obj(list[position]);
      if (call && !this.flushed) this.#add(call, position);
    }
  }

  #add(call: Record<string, unknown>, position: number): void {
    const upstreamIndex = num(call.index) ?? position;
    let at = this.#slotOf.get(upstreamIndex) ?? upstreamIndex;
    let state = this.#calls.get(at);
    // A different id at a used index is a new call (some servers put every call at index 0).
    if (state && typeof call.id === "string" && call.id && state.id && call.id !== state.id) {
      at = Math.max(...this.#calls.keys(), upstreamIndex) + 1;
      this.#slotOf.set(upstreamIndex, at);
      state = undefined;
    }
    if (!state) this.#calls.set(at, state = { id: "", name: "", args: "" });
    if (!state.id && typeof call.id === "string") state.id = call.id;
    const fn = obj(call.function) ?? {};
    if (!state.name && typeof fn.name === "string") state.name = fn.name;
    state.signature ??= thoughtSignatureOf(call);
    if (typeof fn.arguments === "string") state.args += fn.arguments;
    else if (obj(fn.arguments)) state.args += JSON.stringify(fn.arguments);
  }

  /** Writes every call as a whole tool_use block, in slot order; only the first time. */
  flush(writer: AnthropicEventWriter): void {
    if (this.flushed) return;
    this.flushed = true;
    writer.closeBlock();
    const ordered = [...this.#calls.entries()].sort((a, b) => a[0] - b[0]);
    for (const [, call] of ordered) {
      const id = toolId(call.id);
      writer.toolUse(id, call.name, parseToolArguments(call.args));
      this.written.push({ id, signature: call.signature });
      this.emitted++;
    }
  }
}
