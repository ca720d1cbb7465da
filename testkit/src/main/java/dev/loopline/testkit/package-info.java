/**
 * Loopline in a user's integration tests: annotate the test class {@link dev.loopline.testkit.LooplineTest},
 * take a {@link dev.loopline.testkit.Loopline} parameter, and write the workflow's story.
 *
 * <pre>{@code
 * @LooplineTest
 * class ExpenseApprovalTest {
 *     @Test
 *     void approvesAReport(Loopline loopline) {
 *         loopline.deploy(Path.of("expense-approval.json"));                          // given
 *         WorkflowRun run = loopline.publish(loopline.event("erp", "expense_report", "ER-1", "Submitted")
 *                 .attribute("amount", 1250.0))
 *                 .run("expense-approval");                                           // when
 *         run.answer("RequestApproval", Ack.succeeded(Map.of("approved", true)));
 *         run.awaitStatus(WorkflowRun.SUCCEEDED);                                     // then
 *     }
 * }
 * }</pre>
 */
package dev.loopline.testkit;
