-- AUC of the score against default (积分区分度 AUC), per scheme and application year, for the
-- province and each city, for all banks (bank_code 'ALL') and each bank. Among disbursed loans
-- with an outcome (status default or repaid) and a score at application: the probability that a
-- loan that did not default carries a higher score than one that defaulted, ties counting 0.5
-- (Mann-Whitney U / (n_good × n_default)). Regions: the scheme's own region and each of its cities. 1 = the score separates perfectly, 0.5 = no better
-- than chance; null when either group is empty. The score is the one at application (point in time,
-- int_monitoring__loan_grades), so the AUC never looks ahead. Region and bank names beside the codes
-- (全部银行 for bank 'ALL').
with loans as (

    select
        scheme_code,
        applied_year as eval_year,
        city_code,
        bank_code,
        total_points_at_application as score,
        is_default
    from {{ ref('fct_loan_applications') }}
    where has_outcome
        and total_points_at_application is not null

),

scheme_region_cities as (

    select
        scheme_code,
        region_code,
        region_name_zh,
        city_code
    from {{ ref('int_regions__scheme_cities') }}

),

banks as (

    select
        bank_code,
        bank_name_zh,
        bank_code as loan_bank_code
    from {{ ref('ref_banks') }}
    union all
    select
        {{ monitoring_all_banks() }} as bank_code,
        {{ monitoring_all_banks_name_zh() }} as bank_name_zh,
        bank_code as loan_bank_code
    from {{ ref('ref_banks') }}

),

expanded as (

    select
        l.scheme_code,
        l.eval_year,
        rc.region_code,
        rc.region_name_zh,
        b.bank_code,
        b.bank_name_zh,
        l.score,
        l.is_default
    from loans as l
    inner join scheme_region_cities as rc
        on rc.scheme_code = l.scheme_code
        and rc.city_code = l.city_code
    inner join banks as b
        on b.loan_bank_code = l.bank_code

),

ranked as (

    select
        *,
        rank() over (
            partition by scheme_code, eval_year, region_code, bank_code
            order by score
        )
        + (count(*) over (partition by scheme_code, eval_year, region_code, bank_code, score) - 1) / 2.0
            as score_rank
    from expanded

),

summed as (

    select
        scheme_code,
        eval_year,
        region_code,
        region_name_zh,
        bank_code,
        bank_name_zh,
        count(*) as loans_with_outcome,
        count(*) filter (where is_default) as loans_default,
        count(*) filter (where not is_default) as loans_good,
        coalesce(sum(score_rank) filter (where not is_default), 0) as rank_sum_good
    from ranked
    group by 1, 2, 3, 4, 5, 6

),

final as (

    select
        scheme_code,
        eval_year,
        region_code,
        region_name_zh,
        region_code as city_code,
        region_name_zh as city_name_zh,
        bank_code,
        bank_name_zh,
        loans_with_outcome,
        loans_default,
        loans_good,
        round(rank_sum_good, 1) as rank_sum_good,
        round(rank_sum_good - loans_good * (loans_good + 1) / 2.0, 1) as mann_whitney_u,
        {{ monitoring_ratio('rank_sum_good - loans_good * (loans_good + 1) / 2.0', 'loans_good * loans_default') }}
            as auc
    from summed

)

select * from final
