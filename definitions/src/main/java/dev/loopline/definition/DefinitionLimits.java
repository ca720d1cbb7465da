package dev.loopline.definition;

import dev.loopline.definition.expression.Expressions;
import dev.loopline.definition.json.JsonFields;

/**
 * The bounds every definition is compiled within, so that deploying one stays well under a second
 * and every instance of it runs in bounded time and memory. They are fixed, not settings: the
 * gateway that compiles a definition and every runtime that executes it must agree on them.
 *
 * <table>
 *   <tr><th>what</th><th>limit</th><th>why</th></tr>
 *   <tr><td>the document</td><td>{@value #MAX_DOCUMENT_BYTES} bytes of UTF-8</td><td>parsing and
 *       compiling time grow with it; larger answers 413</td></tr>
 *   <tr><td>the compiled program</td><td>{@value #MAX_INSTRUCTIONS} instructions (steps, branch
 *       tests and jumps)</td><td>an instance runs each at most once (jumps go forward)</td></tr>
 *   <tr><td>nesting of step lists</td><td>{@value #MAX_NESTING} levels</td><td>the compiler and
 *       the error paths recurse</td></tr>
 *   <tr><td>the compiled record</td><td>{@value #MAX_COMPILED_BYTES} bytes of Avro</td><td>below
 *       the runtime's record limit ({@code LOOPLINE_LIMIT_RECORD_BYTES}, 256 KiB by default), so
 *       that every runtime can read it</td></tr>
 *   <tr><td>a text field</td><td>{@value JsonFields#MAX_TEXT_CHARS} characters</td><td>names,
 *       message names, ids</td></tr>
 *   <tr><td>a payload, a filter, a list of names</td><td>{@value JsonFields#MAX_ENTRIES} entries</td>
 *       <td></td></tr>
 *   <tr><td>an expression</td><td>{@value Expressions#MAX_SOURCE_LENGTH} characters, and at most
 *       {@value Expressions#MAX_ITERATIONS} macro iterations in one evaluation, nested ones
 *       included</td><td>CEL's cost per evaluation: no loops, no recursion, RE2 regexes that run in
 *       linear time</td></tr>
 * </table>
 */
public final class DefinitionLimits {

    public static final int MAX_DOCUMENT_BYTES = 128 * 1024;
    public static final int MAX_INSTRUCTIONS = 1_000;
    public static final int MAX_NESTING = 16;
    public static final int MAX_COMPILED_BYTES = 192 * 1024;

    private DefinitionLimits() {}
}
