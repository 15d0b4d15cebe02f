package io.churnducks.jobs.nightly;

/**
 * One stage of a night: reads its inputs from the warehouse and the run's state, transforms,
 * writes its run_date partitions and records its manifest entries.
 */
interface NightStage {

  void run(Night night);
}
