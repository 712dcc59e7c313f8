import { startCluster } from "../test-support/cluster.ts"
import { faultRun } from "../test-support/faultRun.ts"

/**
 * The fault soak, longer than the test's: CODEBOX_SOAK_TASKS python programs (default 10,000) over
 * three worker processes while a worker, RabbitMQ and PostgreSQL crash. Prints what each fault hit
 * and the tasks lost, wrong and run twice; all three must be 0 (the run fails otherwise).
 */
export const run = async () => {
  const tasks = Number(process.env.CODEBOX_SOAK_TASKS ?? 10_000)
  const cluster = await startCluster({}, { audit: false })
  try {
    const report = await faultRun(cluster, tasks)
    console.log(`tasks ${report.tasks} in ${report.seconds} s over 3 worker processes (one replaced after it was killed)`)
    for (const hit of report.faults) console.log(`  ${hit.fault}: ${hit.queued} queued, ${hit.running} running at that moment`)
    console.log(`lost ${report.lost}, wrong ${report.wrong}, run twice ${report.runTwice}`)
    console.log(`run again after the SIGKILL (finished by the killed worker, not yet stored): ${report.rerunAfterKill}`)
    if (report.lost + report.wrong + report.runTwice > 0) throw new Error("the soak lost, garbled or repeated work")
  } finally {
    await cluster.stop()
  }
}
