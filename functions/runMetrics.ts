import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';

const metrics = new Metrics({ namespace: 'SellerGrader', serviceName: 'seller-grader' });

/**
 * Publishes RunsCompleted or RunsFailed (namespace SellerGrader, dimension job) as embedded
 * metrics; the alarms on runs that fail or do not finish read them. Outside Lambda it is silent.
 */
function publishRunMetrics(job: string, outcome: 'completed' | 'failed'): void {
  if (!process.env.AWS_LAMBDA_FUNCTION_NAME) return;
  const single = metrics.singleMetric();
  single.addDimension('job', job);
  single.addMetric(outcome === 'failed' ? 'RunsFailed' : 'RunsCompleted', MetricUnit.Count, 1);
}

/** Publishes RunsOverdue for a monthly or quarterly period with no successful run by now (alarmed). */
function publishOverdueRun(job: 'monthly' | 'quarterly'): void {
  if (!process.env.AWS_LAMBDA_FUNCTION_NAME) return;
  const single = metrics.singleMetric();
  single.addDimension('job', job);
  single.addMetric('RunsOverdue', MetricUnit.Count, 1);
}

export { publishOverdueRun, publishRunMetrics };
